namespace Etter.BuildingBlocks.Status;

/// <summary>Fast, possibly lossy, status reads. The saga store stays the authority; this is a projection.</summary>
public interface IWorkflowStatusStore
{
    /// <summary>Stores <paramref name="status"/> unless a same-or-newer version is already there. Returns whether it was written.</summary>
    Task<bool> TryWriteAsync(PipelineStatusResponse status, CancellationToken cancellationToken);

    Task<PipelineStatusResponse?> GetAsync(Guid workflowId, CancellationToken cancellationToken);
}
