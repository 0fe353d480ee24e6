namespace Etter.BuildingBlocks.Messaging;

/// <summary>
/// Queue names of the command-handling endpoints. Fixed (not derived from class names) because they are
/// operational contract: operators watch them in the RabbitMQ console and the orchestrator sends to them.
/// </summary>
public static class CommandQueues
{
    public const string SetUpRoleName = "set-up-role";
    public const string AssessRoleName = "assess-role";
    public const string OnboardingSagaName = "onboarding-state";
    public const string IntakeName = "onboard-role-requested";
    public const string StatusProjectionName = "onboarding-status-projection";

    public static Uri SetUpRole { get; } = new($"queue:{SetUpRoleName}");

    public static Uri AssessRole { get; } = new($"queue:{AssessRoleName}");

    public static Uri OnboardingSaga { get; } = new($"queue:{OnboardingSagaName}");
}
