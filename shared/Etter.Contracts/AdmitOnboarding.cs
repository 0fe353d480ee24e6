namespace Etter.Contracts;

/// <summary>Sent by the orchestrator's admission controller when a held workflow gets one of its company's processing slots.</summary>
public sealed record AdmitOnboarding
{
    public Guid WorkflowId { get; init; }
}
