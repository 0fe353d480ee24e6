namespace Etter.Messaging.Bus;

/// <summary>
/// Queue names of the command-handling endpoints. Fixed (not derived from class names) because they are
/// operational contract: operators watch them in the RabbitMQ console and the orchestrator sends to them.
/// </summary>
public static class CommandQueues
{
    public const string SetUpRoleName = "set-up-role";
    public const string AssessRoleName = "assess-role";
    /// <summary>
    /// Where everything for the onboarding saga is sent. On RabbitMQ it is a consistent-hash exchange that routes each
    /// workflow's messages (routing key: the workflow id) to one orchestrator partition's queue; in memory, an exchange
    /// bound to the one partition.
    /// </summary>
    public const string OnboardingSagaName = "onboarding-saga";
    public const string IntakeName = "onboard-role-requested";

    // Sent through each endpoint's own exchange rather than "queue:": a queue: address makes the sender
    // declare the queue with default arguments, which RabbitMQ refuses when the endpoint declared it as a
    // quorum queue. The endpoint binds its exchange to its queue, so delivery is the same.
    public static Uri SetUpRole { get; } = new($"exchange:{SetUpRoleName}");

    public static Uri AssessRole { get; } = new($"exchange:{AssessRoleName}");

    /// <summary>The exchange type is part of the address, so a sender that declares the exchange declares it as the orchestrator does.</summary>
    public static Uri OnboardingSaga { get; } = new($"exchange:{OnboardingSagaName}?type=x-consistent-hash");

    /// <summary>The queue of one orchestrator partition.</summary>
    public static string OnboardingSagaPartition(int partition) => $"{OnboardingSagaName}-{partition}";
}
