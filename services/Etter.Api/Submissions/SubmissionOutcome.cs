using Etter.Contracts;

namespace Etter.Api.Submissions;

/// <summary>What became of one pushed role.</summary>
public abstract record SubmissionOutcome
{
    private SubmissionOutcome()
    {
    }

    /// <summary>A new workflow was queued; <paramref name="Superseded"/> is the finished one it makes stale, if any.</summary>
    public sealed record Queued(Guid WorkflowId, Guid? Superseded) : SubmissionOutcome;

    /// <summary>The role already has a workflow in flight, which is returned instead of starting another.</summary>
    public sealed record AlreadyInFlight(OnboardingStatus Workflow) : SubmissionOutcome;

    /// <summary>The role is already onboarded with identical inputs; that result stands.</summary>
    public sealed record AlreadyReady(OnboardingStatus Workflow) : SubmissionOutcome;

    /// <summary>The bus did not take the request; nothing was queued.</summary>
    public sealed record Unavailable : SubmissionOutcome;
}
