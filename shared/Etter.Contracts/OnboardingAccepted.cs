namespace Etter.Contracts;

/// <summary>
/// The saga's answer to an <see cref="OnboardRoleRequested"/> sent as a request (the API does): sent once the
/// outcome is committed, so an accepted workflow is durable. <see cref="WorkflowId"/> is the workflow that does the
/// work, which differs from the requested id when the role was already in flight or already onboarded.
/// </summary>
public sealed record OnboardingAccepted
{
    public Guid WorkflowId { get; init; }

    /// <summary>The id the request proposed.</summary>
    public Guid RequestedWorkflowId { get; init; }

    /// <summary>One of <see cref="SubmissionOutcomes"/>.</summary>
    public string Outcome { get; init; } = "";

    /// <summary>The status of <see cref="WorkflowId"/> as of this answer (one of <see cref="OnboardingStatuses"/>).</summary>
    public string Status { get; init; } = "";

    public string? RoleId { get; init; }

    /// <summary>The finished workflow the new one makes stale, when the inputs changed.</summary>
    public Guid? Supersedes { get; init; }

    /// <summary>The validation error, when the outcome is <see cref="SubmissionOutcomes.Invalid"/>.</summary>
    public OnboardingError? Error { get; init; }
}
