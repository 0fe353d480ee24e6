using System.ComponentModel.DataAnnotations;

namespace Etter.Messaging.Outbox;

/// <summary>Outbox relay settings (<c>Etter:Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Etter:Outbox";

    /// <summary>Messages delivered per database round trip.</summary>
    [Range(1, 10000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How often to look for undelivered rows when no local commit signalled (crash leftovers, other instances).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
