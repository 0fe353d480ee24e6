using System.ComponentModel.DataAnnotations;

namespace Etter.Messaging.Bus;

/// <summary>The in-memory bus of embedded mode (<c>Etter:InMemoryBus</c>).</summary>
public sealed class InMemoryBusOptions
{
    public const string Section = "Etter:InMemoryBus";

    /// <summary>
    /// Messages each receive endpoint hands to its consumers at once. Most of a message's time is spent waiting, for its
    /// SQLite file and then for the group COMMIT that carries its transaction, not computing, so an endpoint needs
    /// about as many messages under way as there are workflows in flight. MassTransit's own default left the
    /// embedded benchmark (64 workflows in flight) with messages queued at the endpoints while the cores idled:
    /// 64 raised its throughput by about 7 % at the same CPU per workflow (tests/Etter.Benchmarks/README.md).
    /// </summary>
    [Range(1, 4096)]
    public int ConcurrentMessageLimit { get; set; } = 64;
}
