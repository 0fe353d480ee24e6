namespace Etter.Orchestrator;

/// <summary>Retry and timeout policy of one step.</summary>
public sealed class StepPolicy
{
    /// <summary>Attempts per run, the first included (a redrive starts a new run).</summary>
    public int MaxAttempts { get; set; } = 1;

    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Each further retry waits this many times longer, up to <see cref="MaxDelay"/>.</summary>
    public double Multiplier { get; set; } = 2;

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Random spread of each delay, as a fraction (0.2 = ±20%), so retries of many workflows do not stampede.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>How long one attempt may run once a worker has started it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a sent command may wait for a worker to start it. Past this the command counts as lost (a
    /// broker or worker failure before it began) and the attempt is retried per policy.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When set, a running attempt whose worker sends no heartbeat for this long is treated as lost.</summary>
    public TimeSpan? HeartbeatTimeout { get; set; }

    /// <summary>The wait before retry number <paramref name="retry"/> (1 = first retry); <paramref name="random"/> is in [0, 1).</summary>
    public TimeSpan DelayBefore(int retry, double random)
    {
        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, Math.Max(0, retry - 1));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var spread = 1 + (Jitter * ((random * 2) - 1));
        return TimeSpan.FromMilliseconds(Math.Max(0, capped * spread));
    }

    internal IEnumerable<string> Problems()
    {
        if (MaxAttempts < 1)
        {
            yield return "MaxAttempts must be at least 1.";
        }

        if (InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            yield return "delays must satisfy 0 <= InitialDelay <= MaxDelay.";
        }

        if (Multiplier < 1)
        {
            yield return "Multiplier must be at least 1.";
        }

        if (Jitter is < 0 or > 1)
        {
            yield return "Jitter must be between 0 and 1.";
        }

        if (Timeout <= TimeSpan.Zero || HeartbeatTimeout <= TimeSpan.Zero || StartTimeout <= TimeSpan.Zero)
        {
            yield return "Timeout, StartTimeout and HeartbeatTimeout must be positive.";
        }
    }
}
