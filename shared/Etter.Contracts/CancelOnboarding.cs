namespace Etter.Contracts;

/// <summary>Command: stop a Draft, Queued or Processing workflow for good; late step results are ignored.</summary>
public sealed record CancelOnboarding
{
    public Guid WorkflowId { get; init; }

    public string? Reason { get; init; }

    public string? RequestedBy { get; init; }
}
