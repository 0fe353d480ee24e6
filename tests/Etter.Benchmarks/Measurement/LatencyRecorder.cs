namespace Etter.Benchmarks.Measurement;

/// <summary>Collects latency samples (milliseconds) from many threads; summarizes them as percentiles.</summary>
public sealed class LatencyRecorder
{
    readonly List<double> _samples = [];
    readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _samples.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        if (!double.IsFinite(milliseconds))
        {
            return;
        }

        lock (_lock)
        {
            _samples.Add(milliseconds);
        }
    }

    public void Add(TimeSpan elapsed) => Add(elapsed.TotalMilliseconds);

    public LatencySummary? Summarize()
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _samples];
        }

        return LatencySummary.From(sorted);
    }
}

/// <summary>Percentiles of a set of samples, in milliseconds (nearest-rank).</summary>
public sealed record LatencySummary(int Count, double Min, double Mean, double P50, double P95, double P99, double Max)
{
    public static LatencySummary? From(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Where(double.IsFinite).ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        Array.Sort(sorted);
        return new LatencySummary(
            sorted.Length,
            Round(sorted[0]),
            Round(sorted.Average()),
            Round(Percentile(sorted, 0.50)),
            Round(Percentile(sorted, 0.95)),
            Round(Percentile(sorted, 0.99)),
            Round(sorted[^1]));
    }

    static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    static double Round(double value) => Math.Round(value, 1);
}
