namespace Etter.Contracts;

/// <summary>Command: a finished workflow's inputs changed and a newer workflow re-runs the role; mark this one stale.</summary>
public sealed record MarkOnboardingStale
{
    public Guid WorkflowId { get; init; }

    public Guid SupersededBy { get; init; }

    public string? RequestedBy { get; init; }
}
