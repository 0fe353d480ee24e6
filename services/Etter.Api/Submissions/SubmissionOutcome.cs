using Etter.Contracts;

namespace Etter.Api.Submissions;

/// <summary>What became of one pushed role, from the saga's answer.</summary>
public abstract record SubmissionOutcome
{
    private SubmissionOutcome()
    {
    }

    /// <summary>The workflow the role runs under when the bus has it for certain; null when it may not have been queued.</summary>
    public Guid? AcceptedWorkflowId => this switch
    {
        Queued { Answer: var answer } => answer.WorkflowId,
        AlreadyInFlight { Answer: var answer } => answer.WorkflowId,
        AlreadyReady { Answer: var answer } => answer.WorkflowId,
        Unconfirmed { WorkflowId: var id } => id,
        _ => null,
    };

    /// <summary>A new workflow was recorded (started, or queued for a slot).</summary>
    public sealed record Queued(OnboardingAccepted Answer) : SubmissionOutcome;

    /// <summary>The role already has a workflow in flight, which is returned instead of starting another.</summary>
    public sealed record AlreadyInFlight(OnboardingAccepted Answer) : SubmissionOutcome;

    /// <summary>The role is already onboarded with identical inputs; that result stands.</summary>
    public sealed record AlreadyReady(OnboardingAccepted Answer) : SubmissionOutcome;

    /// <summary>The broker took the request but the saga has not answered yet (an orchestrator restarting).</summary>
    public sealed record Unconfirmed(Guid WorkflowId) : SubmissionOutcome;

    /// <summary>
    /// The bus failed after the request reached it, or did not confirm it within the wait: it may have been queued,
    /// under this id, or not. Pushing the role again is safe; the saga answers a role in flight with its workflow.
    /// </summary>
    public sealed record Uncertain(Guid WorkflowId) : SubmissionOutcome;

    /// <summary>The request never reached the bus (unreachable); nothing was queued.</summary>
    public sealed record Unavailable : SubmissionOutcome;
}
