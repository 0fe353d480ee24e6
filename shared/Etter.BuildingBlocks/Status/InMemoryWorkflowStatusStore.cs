using System.Collections.Concurrent;

namespace Etter.BuildingBlocks.Status;

/// <summary>The embedded status store; also lets in-process watchers (the CLI's live progress) follow changes.</summary>
public sealed class InMemoryWorkflowStatusStore : IWorkflowStatusStore
{
    readonly ConcurrentDictionary<Guid, PipelineStatusResponse> _statuses = new();

    /// <summary>Raised after each accepted write.</summary>
    public event Action<PipelineStatusResponse>? Changed;

    public Task<bool> TryWriteAsync(PipelineStatusResponse status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        var written = false;
        _statuses.AddOrUpdate(
            status.WorkflowId,
            _ =>
            {
                written = true;
                return status;
            },
            (_, current) =>
            {
                written = status.Version > current.Version;
                return written ? status : current;
            });
        if (written)
        {
            Changed?.Invoke(status);
        }

        return Task.FromResult(written);
    }

    public Task<PipelineStatusResponse?> GetAsync(Guid workflowId, CancellationToken cancellationToken) =>
        Task.FromResult(_statuses.TryGetValue(workflowId, out var status) ? status : null);
}
