namespace Etter.Contracts;

/// <summary>Command: move a Draft workflow to Queued.</summary>
public sealed record SubmitOnboarding
{
    public Guid WorkflowId { get; init; }

    public string? RequestedBy { get; init; }
}
