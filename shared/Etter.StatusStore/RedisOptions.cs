using System.ComponentModel.DataAnnotations;

namespace Etter.StatusStore;

/// <summary>Redis connection (<c>Etter:Redis</c>), used in distributed mode for fast status.</summary>
public sealed class RedisOptions
{
    public const string Section = "Etter:Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=...</c>.</summary>
    [Required]
    public string Configuration { get; set; } = "";

    /// <summary>
    /// Put in front of every key this deployment writes, so that several deployments can share one Redis without seeing
    /// each other's statuses, and one of them can be removed by its prefix (each scratch environment of the tests and
    /// the benchmark does so at its end). Empty by default: one deployment per Redis.
    /// </summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>How long a status key lives after its last write.</summary>
    public TimeSpan StatusTtl { get; set; } = TimeSpan.FromHours(24);
}
