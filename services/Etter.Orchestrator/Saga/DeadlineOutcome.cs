namespace Etter.Orchestrator.Saga;

/// <summary>What a due deadline calls for; decided by the state, acted on by the state machine.</summary>
public enum DeadlineOutcome
{
    None,
    RetryRoleSetup,
    RetryAssessment,
    RetryScheduled,
    Failed,
}
