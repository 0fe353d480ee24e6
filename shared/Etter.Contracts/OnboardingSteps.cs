namespace Etter.Contracts;

public static class OnboardingSteps
{
    public const string RoleSetup = "role_setup";
    public const string AiAssessment = "ai_assessment";

    public static IReadOnlyList<string> InOrder { get; } = [RoleSetup, AiAssessment];
}
