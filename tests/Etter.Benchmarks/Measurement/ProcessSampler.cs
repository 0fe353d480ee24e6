using System.Diagnostics;
using Etter.Benchmarks.Reporting;

namespace Etter.Benchmarks.Measurement;

/// <summary>
/// Samples the resident memory of a set of processes twice a second while a scenario runs, and their CPU
/// time and the machine's CPU use between start and stop.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    /// <summary>The local servers' processes (every instance on the machine, whoever started it).</summary>
    public static readonly IReadOnlySet<string> ServerProcessNames = new HashSet<string>(["postgres", "beam.smp", "redis-server"], StringComparer.Ordinal);

    readonly IReadOnlyList<(string Name, int Pid)> _processes;
    readonly Dictionary<string, double> _startRss = [];
    readonly Dictionary<string, double> _maxRss = [];
    readonly Dictionary<string, double> _startCpu = [];
    readonly (double Busy, double Total)? _startMachine;
    readonly Dictionary<int, (string Name, double CpuSeconds)> _startServers;
    readonly long _startTimestamp = Stopwatch.GetTimestamp();
    readonly double? _startLoad = ProcFs.LoadAverage();
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly Lock _lock = new();

    ProcessSampler(IReadOnlyList<(string Name, int Pid)> processes, TimeSpan interval)
    {
        _processes = processes;
        foreach (var (name, pid) in processes)
        {
            if (ProcFs.ReadMemory(pid) is { } memory)
            {
                _startRss[name] = memory.RssMiB;
                _maxRss[name] = memory.RssMiB;
            }

            if (ProcFs.ReadCpuSeconds(pid) is { } cpu)
            {
                _startCpu[name] = cpu;
            }
        }

        _startMachine = ProcFs.ReadMachineCpu();
        _startServers = ProcFs.ReadCpuByName(ServerProcessNames);
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    SampleOnce();
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        });
    }

    public static ProcessSampler Start(IEnumerable<(string Name, int Pid)> processes) =>
        new([.. processes], TimeSpan.FromMilliseconds(500));

    public static ProcessSampler StartSelf(string name) => Start([(name, Environment.ProcessId)]);

    /// <summary>Current resident memory of every sampled process.</summary>
    public Dictionary<string, double> CurrentRss()
    {
        var now = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, pid) in _processes)
        {
            if (ProcFs.ReadMemory(pid) is { } memory)
            {
                now[name] = memory.RssMiB;
            }
        }

        return now;
    }

    void SampleOnce()
    {
        foreach (var (name, rss) in CurrentRss())
        {
            lock (_lock)
            {
                _maxRss[name] = Math.Max(_maxRss.GetValueOrDefault(name), rss);
            }
        }
    }

    /// <summary>Stops sampling and returns per-process figures; CPU per workflow when <paramref name="workflows"/> is positive.</summary>
    public async Task<(List<ProcessFigures> Processes, CpuBreakdown? Cpu)> StopAsync(int workflows, Func<string, int?>? loggedErrors = null)
    {
        await _stop.CancelAsync();
        await _loop;
        SampleOnce();
        var figures = new List<ProcessFigures>();
        foreach (var (name, pid) in _processes)
        {
            var memory = ProcFs.ReadMemory(pid);
            var cpu = ProcFs.ReadCpuSeconds(pid);
            double? cpuUsed = cpu is { } c && _startCpu.TryGetValue(name, out var s) ? Math.Round(c - s, 2) : null;
            double? max;
            lock (_lock)
            {
                max = _maxRss.TryGetValue(name, out var m) ? m : null;
            }

            figures.Add(new ProcessFigures(
                name,
                pid,
                _startRss.TryGetValue(name, out var start) ? start : null,
                memory?.RssMiB,
                max,
                memory?.PeakRssMiB,
                cpuUsed,
                cpuUsed is { } used && workflows > 0 ? Math.Round(used * 1000 / workflows, 2) : null,
                loggedErrors?.Invoke(name)));
        }

        CpuBreakdown? cpuBreakdown = null;
        var elapsed = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        var capacity = elapsed * Environment.ProcessorCount;
        if (_startMachine is { } before && ProcFs.ReadMachineCpu() is { } after && after.Total > before.Total && capacity > 0)
        {
            var busy = 100 * (after.Busy - before.Busy) / (after.Total - before.Total);
            var measured = 100 * figures.Sum(f => f.CpuSeconds ?? 0) / capacity;
            var servers = 0.0;
            foreach (var (pid, (_, cpu)) in ProcFs.ReadCpuByName(ServerProcessNames))
            {
                servers += cpu - (_startServers.TryGetValue(pid, out var start) ? start.CpuSeconds : 0);
            }

            var serverPercent = 100 * servers / capacity;
            cpuBreakdown = new CpuBreakdown(
                Math.Round(busy, 1),
                Math.Round(measured, 1),
                Math.Round(serverPercent, 1),
                Math.Round(Math.Max(0, busy - measured - serverPercent), 1),
                workflows > 0 ? Math.Round(servers * 1000 / workflows, 2) : null,
                _startLoad,
                ProcFs.LoadAverage());
        }

        return (figures, cpuBreakdown);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    /// <summary>Elapsed seconds since a Stopwatch timestamp, rounded for reports.</summary>
    public static double Since(long timestamp) => Math.Round(Stopwatch.GetElapsedTime(timestamp).TotalSeconds, 1);
}
