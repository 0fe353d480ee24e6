namespace Etter.Messaging.Outbox;

/// <summary>
/// Somewhere other than the bus that outbox rows can go, named by a URI scheme (e.g. <c>status:</c> for the fast
/// status store). Delivery is at least once and unordered across workflows, so the target must tolerate repeats.
/// </summary>
public interface IOutboxDestination
{
    /// <summary>The URI scheme rows for this destination carry, without the colon.</summary>
    string Scheme { get; }

    Task DeliverAsync(Guid workflowId, object message, CancellationToken cancellationToken);

    /// <summary>
    /// Whether what is delivered here outlives this process. A destination that does not (memory of this process) gets
    /// its messages after the commit like any other, but without an outbox row: a row exists so that a crash cannot lose
    /// a message, and a crash loses such a destination's whole content anyway.
    /// </summary>
    bool OutlivesProcess => true;

    /// <summary>
    /// Whether the destination keeps what it receives in order by itself (the status store keeps the highest revision),
    /// so its rows need not wait for the bus messages their workflow committed before them. The dispatcher gives such
    /// rows lanes of their own; among themselves, one workflow's rows still arrive in commit order.
    /// </summary>
    bool OrdersItself => false;
}
