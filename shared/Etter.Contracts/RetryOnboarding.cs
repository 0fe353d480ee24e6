namespace Etter.Contracts;

/// <summary>Command: redrive a Failed workflow from its failed step (role_setup is never repeated once completed), or from the start with <see cref="ForceRerun"/>.</summary>
public sealed record RetryOnboarding
{
    public Guid WorkflowId { get; init; }

    public bool ForceRerun { get; init; }

    public string? RequestedBy { get; init; }
}
