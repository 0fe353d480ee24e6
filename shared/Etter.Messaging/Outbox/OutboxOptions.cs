using System.ComponentModel.DataAnnotations;

namespace Etter.Messaging.Outbox;

/// <summary>Outbox delivery settings (<c>Etter:Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Etter:Outbox";

    /// <summary>Rows the relay claims per database round trip when it picks up leftovers.</summary>
    [Range(1, 10000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How often the relay looks for leftovers: rows a crash, a broker outage or another instance left behind.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How old a row must be before the relay takes it. Younger rows belong to the in-process hand-off of the
    /// transaction that wrote them; the relay is the safety net, not the hot path.
    /// </summary>
    public TimeSpan HandoffGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Delivered rows deleted per statement.</summary>
    [Range(1, 10000)]
    public int DeleteBatchSize { get; set; } = 500;

    /// <summary>How long delivered rows may wait to be deleted together.</summary>
    public TimeSpan DeleteInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}
