using System.Diagnostics;
using Etter.TestSupport;
using Npgsql;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// Samples a count (e.g. terminal workflows) twice a second in the background, so that a test can tell afterwards how
/// long a fault stopped the work and how long the work took to get back to its pace.
/// </summary>
public sealed class ProgressRecorder : IAsyncDisposable
{
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly List<(TimeSpan At, long Count)> _samples = [];
    readonly List<string> _timeline = [];
    readonly CancellationTokenSource _stop = new();
    readonly Task _sampling;

    ProgressRecorder(ScratchEnvironment environment, string countSql, string? detailSql, Func<Task<string>>? brokerDetail)
    {
        _brokerDetail = brokerDetail;
        _sampling = SampleAsync(environment, countSql, detailSql, _stop.Token);
    }

    readonly Func<Task<string>>? _brokerDetail;

    /// <summary>Time on the recorder's clock, to mark events against the samples.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <param name="detailSql">A one-row query sampled every 2 s into <see cref="Timeline"/>, to show what a slow phase waited on.</param>
    /// <param name="brokerDetail">Where the broker's queues stand, added to each timeline line when given.</param>
    public static ProgressRecorder Start(ScratchEnvironment environment, string countSql, string? detailSql = null, Func<Task<string>>? brokerDetail = null) =>
        new(environment, countSql, detailSql, brokerDetail);

    /// <summary>The detail samples so far, one line each: time, then column=value.</summary>
    public IReadOnlyList<string> Timeline()
    {
        lock (_samples)
        {
            return [.. _timeline];
        }
    }

    async Task SampleAsync(ScratchEnvironment environment, string countSql, string? detailSql, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                var count = await environment.ScalarAsync(countSql);
                var detail = detailSql is not null && i % 4 == 0 ? await DetailAsync(environment, detailSql) + await BrokerDetailAsync() : null;
                lock (_samples)
                {
                    _samples.Add((_clock.Elapsed, count));
                    if (detail is not null)
                    {
                        _timeline.Add($"{_clock.Elapsed:mm\\:ss\\.f} {detail}");
                    }
                }
            }
            catch (NpgsqlException)
            {
                // A missed sample only widens the gap between two others.
            }

            await Task.Delay(Interval, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    async Task<string> BrokerDetailAsync()
    {
        if (_brokerDetail is null)
        {
            return "";
        }

        try
        {
            return " " + await _brokerDetail();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            // The management API is down with the node it runs on; the next sample asks again.
            return " broker=" + ex.GetType().Name;
        }
    }

    static async Task<string> DetailAsync(ScratchEnvironment environment, string sql)
    {
        await using var db = await environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={reader.GetValue(i)}"));
    }

    /// <summary>
    /// Figures of a fault under a steady offered load: the longest stretch after <paramref name="faultAt"/> in which
    /// nothing finished, and
    /// the time from <paramref name="backAt"/> until a 5-second window first finished work at
    /// <paramref name="threshold"/> of <paramref name="offeredRate"/> (or the run was over by <paramref name="endAt"/>).
    /// </summary>
    public RecoveryFigures Recovery(TimeSpan faultAt, TimeSpan backAt, TimeSpan endAt, double offeredRate, double threshold = 0.75)
    {
        List<(TimeSpan At, long Count)> samples;
        lock (_samples)
        {
            samples = [.. _samples];
        }

        // The longest stretch after the fault in which nothing finished.
        var stalled = TimeSpan.Zero;
        var last = samples.LastOrDefault(s => s.At <= faultAt);
        foreach (var sample in samples.Where(s => s.At > faultAt && s.At <= endAt))
        {
            if (sample.Count > last.Count)
            {
                stalled = TimeSpan.FromTicks(Math.Max(stalled.Ticks, (sample.At - last.At).Ticks));
                last = sample;
            }
        }

        foreach (var start in samples.Where(s => s.At >= backAt && s.At <= endAt))
        {
            var end = samples.LastOrDefault(s => s.At <= start.At + Window && s.At > start.At);
            if (end == default)
            {
                continue;
            }

            var rate = (end.Count - start.Count) / (end.At - start.At).TotalSeconds;
            if (rate >= threshold * offeredRate)
            {
                return new RecoveryFigures(stalled, start.At - backAt, rate, offeredRate, threshold);
            }
        }

        return new RecoveryFigures(stalled, endAt - backAt, 0, offeredRate, threshold);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}

/// <param name="Stalled">The longest stretch after the fault in which nothing finished.</param>
/// <param name="Time">From the broker being whole again to throughput back at <paramref name="Threshold"/> of the offered load.</param>
/// <param name="RateAfter">Finished work per second in that first window back at pace.</param>
public sealed record RecoveryFigures(TimeSpan Stalled, TimeSpan Time, double RateAfter, double OfferedRate, double Threshold);
