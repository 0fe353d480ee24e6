using System.Collections.Concurrent;
using Etter.Contracts;

namespace Etter.StatusStore;

/// <summary>The embedded status store; also lets in-process watchers (the CLI's live progress) follow changes.</summary>
public sealed class InMemoryWorkflowStatusStore : IWorkflowStatusStore
{
    readonly ConcurrentDictionary<Guid, OnboardingStatus> _statuses = new();

    /// <summary>Raised after each accepted write.</summary>
    public event Action<OnboardingStatus>? Changed;

    public Task<bool> TryWriteAsync(OnboardingStatus status, CancellationToken cancellationToken)
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
                written = status.Revision > current.Revision;
                return written ? status : current;
            });
        if (written)
        {
            Changed?.Invoke(status);
        }

        return Task.FromResult(written);
    }

    public bool OutlivesProcess => false;

    public Task<OnboardingStatus?> GetAsync(Guid workflowId, CancellationToken cancellationToken) =>
        Task.FromResult(_statuses.TryGetValue(workflowId, out var status) ? status : null);
}
