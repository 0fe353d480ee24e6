using Etter.Messaging.Outbox;
using Etter.StatusStore;

namespace Etter.Orchestrator.Status;

/// <summary>
/// Outbox rows addressed <c>status:</c> go to the fast status store (Redis, or memory when embedded), not the bus:
/// each transition's status reaches readers without a broker message, at least once, and the store's revision
/// check drops whatever arrives late.
/// </summary>
public sealed class StatusStoreDestination(IWorkflowStatusStore store) : IOutboxDestination
{
    public static Uri Address { get; } = new("status:workflow");

    public string Scheme => Address.Scheme;

    /// <summary>
    /// False for the embedded store in memory: each status then reaches it after the commit with no outbox row, and after
    /// a restart readers find every status in the saga store (<c>status_json</c>) until the store has a newer one.
    /// </summary>
    public bool OutlivesProcess => store.OutlivesProcess;

    /// <summary>
    /// Writes are compare-and-set on the status revision, so a status needs no order with the workflow's bus messages. In
    /// their lanes it waited for their broker confirms, which at full load made it visible 10 to 20 ms later (median).
    /// </summary>
    public bool OrdersItself => true;

    public Task DeliverAsync(Guid workflowId, object message, CancellationToken cancellationToken) =>
        store.TryWriteAsync((OnboardingStatus)message, cancellationToken);
}
