namespace Etter.Orchestrator.Saga.Decisions;

/// <summary>What a failed attempt leads to: another attempt later, or the end of the workflow at that step.</summary>
public abstract record RetryDecision
{
    private RetryDecision()
    {
    }

    /// <summary>Retry the step at <paramref name="At"/>.</summary>
    public sealed record RetryAt(DateTimeOffset At) : RetryDecision;

    /// <summary>No retry: the workflow fails with <paramref name="Error"/>.</summary>
    public sealed record GiveUp(OnboardingError Error) : RetryDecision;
}
