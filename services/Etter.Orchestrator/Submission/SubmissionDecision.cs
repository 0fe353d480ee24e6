using Etter.Contracts;

namespace Etter.Orchestrator.Submission;

/// <summary>What a submitted role leads to.</summary>
public abstract record SubmissionDecision
{
    private SubmissionDecision()
    {
    }

    /// <summary>The request is invalid: the workflow ends as validation_error.</summary>
    public sealed record Invalid(OnboardingError Error) : SubmissionDecision;

    /// <summary>A new workflow, kept as a draft until submitted.</summary>
    public sealed record Draft(Guid? Supersedes) : SubmissionDecision;

    /// <summary>A new workflow: its first step starts now when <paramref name="Slot"/> is set, else it waits for a slot.</summary>
    public sealed record Start(int? Slot, Guid? Supersedes) : SubmissionDecision;

    /// <summary>A requester is answered with an existing workflow and no new one is recorded.</summary>
    /// <param name="Outcome">One of <see cref="SubmissionOutcomes"/>.</param>
    public sealed record ReturnExisting(ExistingWorkflow Workflow, string Outcome) : SubmissionDecision;

    /// <summary>A published request (no requester to answer) is recorded as a duplicate of the in-flight workflow.</summary>
    public sealed record Duplicate(Guid Of) : SubmissionDecision;
}
