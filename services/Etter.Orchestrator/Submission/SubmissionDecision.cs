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

    /// <summary>
    /// Another workflow already holds the answer (the role's one in flight, or, for a requester, its finished result
    /// with identical inputs): the submission is recorded as a duplicate pointing to it, so its own id stays findable.
    /// </summary>
    /// <param name="Outcome">One of <see cref="SubmissionOutcomes"/>.</param>
    public sealed record Duplicate(ExistingWorkflow Of, string Outcome) : SubmissionDecision;
}
