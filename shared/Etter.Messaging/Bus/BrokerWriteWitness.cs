using MassTransit;

namespace Etter.Messaging.Bus;

/// <summary>
/// Tells a failed write that certainly never reached the broker from one whose fate is unknown. MassTransit runs the
/// caller's send pipe on the transport's send context, which it builds only once it holds a channel, right before the
/// publish. A write that fails before that was not taken; one that fails after may have been (a confirm lost with the
/// connection, a node stopping mid-write, an answer slower than the caller's wait), so it must not be reported as
/// "not queued".
/// </summary>
public sealed class BrokerWriteWitness
{
    int _reachedTransport;

    /// <summary>True once any attempt of the write got as far as the transport; sticky across MassTransit's own retries.</summary>
    public bool MayHaveReachedBroker => Volatile.Read(ref _reachedTransport) != 0;

    /// <summary>Call from the write's send pipe.</summary>
    public void Witness(SendContext context) => Volatile.Write(ref _reachedTransport, 1);
}
