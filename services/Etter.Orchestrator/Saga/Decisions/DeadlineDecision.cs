namespace Etter.Orchestrator.Saga.Decisions;

/// <summary>What the deadlines due at a moment call for.</summary>
public abstract record DeadlineDecision
{
    private DeadlineDecision()
    {
    }

    /// <summary>Nothing is due (an early or duplicate dispatch): re-arm the sweeper on the real deadlines.</summary>
    public sealed record NothingDue : DeadlineDecision;

    /// <summary>The end-to-end limit passed: the workflow fails with <paramref name="Error"/>.</summary>
    public sealed record WorkflowTimedOut(OnboardingError Error) : DeadlineDecision;

    /// <summary>A scheduled retry of <paramref name="Step"/> is due: send its next attempt.</summary>
    public sealed record RetryDue(string Step) : DeadlineDecision;

    /// <summary>The attempt of <paramref name="Step"/> in flight is lost or timed out; it fails with <paramref name="Error"/>.</summary>
    public sealed record AttemptLost(string Step, OnboardingError Error) : DeadlineDecision;
}
