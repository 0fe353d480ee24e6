namespace Etter.Orchestrator.Saga.Decisions;

/// <summary>Where a redrive of a failed workflow starts: at the failed step, never repeating a completed role_setup unless forced.</summary>
public static class RedriveRules
{
    public static string StartingStep(StepState roleSetup, bool forceRerun)
    {
        ArgumentNullException.ThrowIfNull(roleSetup);
        return forceRerun || roleSetup.Status != StepStatuses.Completed ? OnboardingSteps.RoleSetup : OnboardingSteps.AiAssessment;
    }
}
