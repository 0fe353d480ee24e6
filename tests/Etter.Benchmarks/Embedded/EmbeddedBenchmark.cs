using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Etter.Benchmarks.Measurement;
using Etter.Benchmarks.Reporting;
using Etter.Persistence.Sqlite;

namespace Etter.Benchmarks.Embedded;

/// <summary>The scenarios in embedded mode: every component in this process, in-memory bus, SQLite.</summary>
public sealed class EmbeddedBenchmark(BenchOptions options, BenchReport report, EfCommitCounter commits, string runTag, string workDirectory)
{
    static readonly TimeSpan PerWorkflowTimeout = TimeSpan.FromMinutes(5);
    const string SelfName = "etter-bench (all components + driver)";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var connections = Math.Min(options.Concurrency, 8);
        Progress.Line("baseline", $"SQLite single-row commits, {connections} connections, {options.BaselineSeconds:0.#} s");
        report.Baselines.Sqlite = await SqliteCommitBaseline.RunAsync(Path.Combine(workDirectory, "baseline"), connections, TimeSpan.FromSeconds(options.BaselineSeconds), cancellationToken);
        Progress.Line("baseline", string.Create(CultureInfo.InvariantCulture, $"SQLite: {report.Baselines.Sqlite.CommitsPerSecond:0} commits/s"));

        // First, while this process is fresh: its memory figures must not carry the other scenarios' leftovers.
        ScenarioResult? inflight = null;
        if (options.Runs("inflight"))
        {
            inflight = await RunInflightAsync(options.InflightWorkflows, options.HoldSeconds, cancellationToken);
        }

        if (options.Runs("throughput") || options.Runs("latency") || options.Runs("batch"))
        {
            await RunMainScenariosAsync(cancellationToken);
        }

        if (inflight is not null)
        {
            report.Scenarios.Add(inflight);
        }

        if (options.Runs("replicas"))
        {
            report.Scenarios.Add(new ScenarioResult
            {
                Name = "replicas",
                Title = "replicas",
                Status = "not_available",
                Message = "Embedded mode is one process; run with --mode distributed for replicas.",
            });
        }
    }

    /// <summary>Workflows of each warm-up round after the first.</summary>
    const int WarmUpRoundWorkflows = 1000;

    /// <summary>A warm-up round that compiles fewer methods than this ends the warm-up: the JIT has settled.</summary>
    const int QuietJitMethods = 100;

    const int MaxWarmUpRounds = 10;

    async Task RunMainScenariosAsync(CancellationToken cancellationToken)
    {
        Progress.Line("embedded", $"starting the embedded host (data in {Path.Combine(workDirectory, "main")})");
        await using var system = await EmbeddedSystem.StartAsync(Path.Combine(workDirectory, "main"));

        await WarmUpAsync(system, cancellationToken);

        double? peak = null;
        if (options.Runs("throughput"))
        {
            var shape = options.Rate is { } rate ? LoadShape.Open(rate) : LoadShape.Closed(options.Concurrency);
            var throughput = await RunDrivenAsync(system, "throughput", $"{options.ThroughputWorkflows:N0} workflows at full speed", options.ThroughputWorkflows, shape, cancellationToken);
            report.Scenarios.Add(throughput);
            peak = throughput.SteadyThroughput ?? throughput.Throughput;
        }

        if (options.Runs("latency"))
        {
            if (peak is null && options.Rate is { } given)
            {
                peak = given * 2;
            }
            else if (peak is null)
            {
                var probe = await RunDrivenAsync(system, "peak-probe", "peak probe", Math.Min(options.ThroughputWorkflows, 2000), LoadShape.Closed(options.Concurrency), cancellationToken);
                peak = probe.SteadyThroughput ?? probe.Throughput;
            }

            var latencyRate = Math.Max(1, (peak ?? 2) / 2);
            var count = Math.Max(20, (int)(latencyRate * options.LatencySeconds));
            var latency = await RunDrivenAsync(system, "latency", string.Create(CultureInfo.InvariantCulture, $"latency at half the peak ({latencyRate:0.#}/s, open loop)"), count, LoadShape.Open(latencyRate), cancellationToken);
            latency.OfferedRate = Math.Round(latencyRate, 1);
            report.Scenarios.Add(latency);
        }

        if (options.Runs("batch"))
        {
            var batch = await RunDrivenAsync(
                system,
                "batch",
                $"batch of {options.BatchSize:N0} roles (emulated: one burst of publishes with a shared batch_id)",
                options.BatchSize,
                LoadShape.Closed(options.BatchSize),
                cancellationToken,
                batchId: $"bench-{runTag}");
            batch.Message = "Embedded mode has no HTTP endpoint, so /push-batch cannot be called; this is the same number of requests published at once, as a batch endpoint would.";
            report.Scenarios.Add(batch);
        }
    }

    /// <summary>
    /// JIT, connection pools, SQLite page cache: not part of any figure. Rounds of load run until one compiles fewer
    /// than <see cref="QuietJitMethods"/> methods, or <see cref="MaxWarmUpRounds"/> rounds.
    /// </summary>
    /// <remarks>
    /// Tiered compilation recompiles the hot methods optimized only after they have run a while, and on two cores that
    /// took the first seconds of load: a single warm-up of 300 workflows ended before it, and the throughput phase then
    /// spent its first 4 seconds recompiling about 4,000 methods (1,000 to 1,300 wf/s, against 1,600 after).
    /// </remarks>
    async Task WarmUpAsync(EmbeddedSystem system, CancellationToken cancellationToken)
    {
        var workflows = 0;
        for (var round = 1; round <= MaxWarmUpRounds; round++)
        {
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            var count = Math.Min(round == 1 ? 300 : WarmUpRoundWorkflows, options.ThroughputWorkflows);
            await RunDrivenAsync(system, round == 1 ? "warmup" : $"warmup{round}", $"warm-up round {round}", count, LoadShape.Closed(options.Concurrency), cancellationToken);
            workflows += count;
            var compiled = JitInfo.GetCompiledMethodCount() - compiledBefore;
            Progress.Line("warmup", string.Create(CultureInfo.InvariantCulture, $"round {round}: {compiled:N0} methods compiled"));
            if (round > 1 && compiled < QuietJitMethods)
            {
                break;
            }
        }

        report.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"embedded warm-up: {workflows:N0} workflows, until a round of {Math.Min(WarmUpRoundWorkflows, options.ThroughputWorkflows):N0} compiled fewer than {QuietJitMethods} methods (at most {MaxWarmUpRounds} rounds)"));
    }

    async Task<ScenarioResult> RunDrivenAsync(
        EmbeddedSystem system,
        string name,
        string title,
        int count,
        LoadShape shape,
        CancellationToken cancellationToken,
        string? batchId = null)
    {
        var prefix = $"Bench {runTag} {name} ";
        var tracker = new WorkflowTracker();
        system.Tracker = tracker;
        var commits0 = commits.Snapshot();
        var slow0 = commits.SlowSnapshot();
        var groups0 = SqliteGroupCommitStats.Snapshot();
        var published0 = system.Messages.Published + system.Messages.Sent;
        var consumed0 = system.Messages.Consumed;
        var errors0 = system.Logs.Errors;
        var retries0 = system.Logs.Retries;
        Progress.Line(name, $"{title}: {count:N0} workflows, {shape}");
        var compiled0 = JitInfo.GetCompiledMethodCount();
        await using var sampler = ProcessSampler.StartSelf(SelfName);
        var drive = await LoadDriver.RunAsync(
            name,
            tracker,
            count,
            shape,
            i => new WorkflowRun(i, string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D6}")),
            (run, ct) => system.PushAsync(tracker, run, useMock: true, batchId, ct),
            PerWorkflowTimeout,
            cancellationToken);

        // Let the last outbox deliveries and deletes finish, so they are counted with this scenario.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var (processes, cpu) = await sampler.StopAsync(tracker.Done);
        var result = new ScenarioResult { Name = name, Title = title, Load = shape.ToString() };
        ScenarioMath.FillFromDrive(result, tracker, drive, count);
        if (batchId is not null)
        {
            // A burst finishes in lock-step; only first push → last Ready means anything.
            result.SteadyThroughput = null;
        }

        result.Processes.AddRange(processes);
        result.Cpu = cpu;
        result.MachineCpuBusyPercent = cpu?.MachineBusyPercent;
        result.VisibilityPollMs = 0;
        result.OfferedRate = shape.Rate;

        var rows = await system.ReadSagaRowsAsync(prefix, cancellationToken);
        SagaRows.Analyze(result, tracker.Runs, rows);

        var done = Math.Max(1, tracker.Done);
        var perWorkflow = result.PerWorkflow ??= new PerWorkflowCost();
        var commits1 = commits.Snapshot();
        double total = 0;
        foreach (var (database, n) in commits1)
        {
            var delta = n - commits0.GetValueOrDefault(database);
            total += delta;
            perWorkflow.CommitsByDatabase[database] = Math.Round((double)delta / done, 2);
        }

        perWorkflow.Commits = Math.Round(total / done, 2);
        var slow = commits.SlowSnapshot()
            .Select(kv => (Database: kv.Key, Count: kv.Value.Count - slow0.GetValueOrDefault(kv.Key).Count, Ms: kv.Value.Milliseconds - slow0.GetValueOrDefault(kv.Key).Milliseconds))
            .Where(x => x.Count > 0)
            .ToList();
        result.Extra["sqlite lock waits (statements or BEGINs taking >= 140 ms)"] = slow.Count == 0
            ? "none"
            : string.Join(", ", slow.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Database} {x.Count} ({(double)x.Count / done:0.00}/wf, {x.Ms / 1000:0.0} s in total)")));
        perWorkflow.CommitsNote = "SQLite write transactions (explicit commits + autocommit INSERT/UPDATE/DELETE), per database file";
        result.Extra["methods JIT-compiled during the phase"] = (JitInfo.GetCompiledMethodCount() - compiled0).ToString("N0", CultureInfo.InvariantCulture);
        result.Extra["sqlite COMMITs/wf by file (transactions per COMMIT, WAL pages/wf, checkpoints)"] = GroupCommits(groups0, SqliteGroupCommitStats.Snapshot(), done);
        perWorkflow.Retries = Math.Round((double)(system.Logs.Retries - retries0) / done, 2);
        perWorkflow.MessagesPublished = Math.Round((double)(system.Messages.Published + system.Messages.Sent - published0) / done, 2);
        perWorkflow.MessagesDelivered = Math.Round((double)(system.Messages.Consumed - consumed0) / done, 2);

        if (report.Baselines.Sqlite is { } sqlite && perWorkflow.CommitsByDatabase.Count > 0)
        {
            var (database, perFile) = perWorkflow.CommitsByDatabase.MaxBy(kv => kv.Value);
            var bound = perFile > 0 ? sqlite.CommitsPerSecond / perFile : (double?)null;
            var measured = result.SteadyThroughput ?? result.Throughput;
            result.Bound = new Bound(
                bound is null ? null : Math.Round(bound.Value, 1),
                null,
                bound is null ? null : Math.Round(bound.Value, 1),
                $"sqlite commits ({database}.db)",
                bound is > 0 && measured is { } m ? Math.Round(m / bound.Value, 3) : null,
                string.Create(CultureInfo.InvariantCulture, $"{sqlite.CommitsPerSecond:0} commits/s ÷ {perFile:0.##} commits per workflow in {database}.db (the busiest file; writers to one SQLite file take turns). The in-memory bus is not a bound."));
        }

        var cpuMs = processes.Sum(p => p.CpuMsPerWorkflow ?? 0);
        if (result.Bound is { } b && cpuMs > 0)
        {
            var cpuBound = Environment.ProcessorCount * 1000 / cpuMs;
            var measuredRate = result.SteadyThroughput ?? result.Throughput;
            result.Bound = b with
            {
                CpuBound = Math.Round(cpuBound, 1),
                CpuFraction = measuredRate is { } mr ? Math.Round(mr / cpuBound, 3) : null,
                CpuExplanation = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores × 1000 ÷ {cpuMs:0.#} ms CPU per workflow (this process: every component and the driver) = {cpuBound:0.#} wf/s"),
            };
        }

        var newErrors = system.Logs.Errors - errors0;
        if (newErrors > 0)
        {
            result.Errors.Add($"{newErrors} errors logged by the embedded host; first: {string.Join(" | ", system.Logs.Samples.Take(3))}");
        }

        Summarize(result);
        return result;
    }

    public async Task<ScenarioResult> RunInflightAsync(int count, double holdSeconds, CancellationToken cancellationToken)
    {
        var name = "inflight";
        var title = $"{count:N0} workflows in flight, assessment held open (gated engine)";
        var prefix = $"Bench {runTag} {name} ";
        var result = new ScenarioResult { Name = name, Title = title, Workflows = count, Load = $"pushed at {options.Concurrency} concurrent publishes, then held {holdSeconds:0} s" };
        Progress.Line(name, $"{title}: starting a fresh embedded host with MaxConcurrentRuns=1024 and the gated engine as default");
        await using var system = await EmbeddedSystem.StartAsync(Path.Combine(workDirectory, "inflight"), new Dictionary<string, string?>
        {
            ["Etter:Assessment:DefaultEngine"] = GatedAssessmentEngine.EngineName,
            ["Etter:Assessment:MaxConcurrentRuns"] = "1024",
        });
        var tracker = new WorkflowTracker();
        system.Tracker = tracker;
        await using var sampler = ProcessSampler.StartSelf(SelfName);
        var started = Stopwatch.GetTimestamp();

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        ManagedHeapMiB(forceCollection: true);
        var heapBefore = ManagedHeapMiB(forceCollection: true);
        var rssBefore = ProcFs.ReadMemory(Environment.ProcessId)?.RssMiB;
        result.Extra["rss_before_mib"] = rssBefore;
        result.Extra["managed_heap_before_mib"] = heapBefore;

        // Ramp: push everything, recording memory against the number of workflows in flight.
        var next = -1;
        var pushers = Enumerable.Range(0, Math.Min(options.Concurrency, count)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var run = new WorkflowRun(i, string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D6}"));
                try
                {
                    await system.PushAsync(tracker, run, useMock: false, batchId: null, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    tracker.RecordPushFailure(run, ex.Message);
                }
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(pushers);

        var heldTarget = Math.Min(count, 1024);
        var deadline = Stopwatch.GetTimestamp() + (long)(300 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var atAssessment = tracker.Runs.Count(r => r.LastStep == Etter.Contracts.OnboardingSteps.AiAssessment);
            Sample(result, started, count - tracker.Done, sampler, managed: false);
            Progress.Line(name, $"ramp: {atAssessment:N0}/{count:N0} at the assessment step, {system.Gate.Waiting:N0} held at the gate");
            if (atAssessment >= count - tracker.PushFailures && system.Gate.Waiting >= heldTarget)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        result.Extra["seconds_to_get_all_in_flight"] = ProcessSampler.Since(started);
        result.Extra["held_at_gate"] = system.Gate.Waiting;
        result.Extra["waiting_for_an_assessment_slot"] = count - tracker.PushFailures - system.Gate.Waiting;

        // Hold: nothing moves; memory should not.
        var holdStart = Stopwatch.GetTimestamp();
        var rssHoldStart = ProcFs.ReadMemory(Environment.ProcessId)?.RssMiB;
        var heapHoldStart = ManagedHeapMiB(forceCollection: true);
        while (Stopwatch.GetElapsedTime(holdStart).TotalSeconds < holdSeconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            Sample(result, started, count - tracker.Done, sampler, managed: true);
        }

        var rssHoldEnd = ProcFs.ReadMemory(Environment.ProcessId)?.RssMiB;
        var heapHoldEnd = ManagedHeapMiB(forceCollection: true);
        Progress.Line(name, string.Create(CultureInfo.InvariantCulture, $"held {holdSeconds:0} s: RSS {rssHoldStart:0} → {rssHoldEnd:0} MiB, live managed heap {heapHoldStart:0.0} → {heapHoldEnd:0.0} MiB"));
        result.Extra["rss_hold_start_mib"] = rssHoldStart;
        result.Extra["rss_hold_end_mib"] = rssHoldEnd;
        result.Extra["rss_growth_during_hold_percent"] = rssHoldStart is > 0 && rssHoldEnd is { } end ? Math.Round(100 * (end - rssHoldStart.Value) / rssHoldStart.Value, 1) : null;
        result.Extra["managed_heap_hold_start_mib"] = heapHoldStart;
        result.Extra["managed_heap_hold_end_mib"] = heapHoldEnd;
        result.Extra["managed_bytes_per_inflight_workflow"] = Math.Round((heapHoldEnd - heapBefore) * 1024 * 1024 / Math.Max(1, count), 0);

        // Release: everything drains.
        var release = Stopwatch.GetTimestamp();
        system.Gate.Open();
        while (tracker.Done + tracker.PushFailures < count && Stopwatch.GetElapsedTime(release) < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            if (Stopwatch.GetElapsedTime(release).TotalSeconds % 2 < 0.2)
            {
                Progress.Line(name, $"released: {tracker.Done:N0}/{count:N0} done");
            }
        }

        var drainSeconds = Stopwatch.GetElapsedTime(release).TotalSeconds;
        result.Extra["drain_seconds"] = Math.Round(drainSeconds, 2);
        result.Extra["drain_throughput"] = Math.Round(tracker.Done / drainSeconds, 1);
        var (processes, cpu) = await sampler.StopAsync(tracker.Done);
        result.Processes.AddRange(processes);
        result.Cpu = cpu;
        result.MachineCpuBusyPercent = cpu?.MachineBusyPercent;
        result.Completed = tracker.Done;
        result.NotReady = tracker.NotReady;
        result.PushErrors = tracker.PushFailures;
        result.TimedOut = count - tracker.Done - tracker.PushFailures;
        result.PushApiMs = tracker.PushLatency.Summarize();
        var growth = result.Extra["rss_growth_during_hold_percent"] as double?;
        result.Message = growth is { } g
            ? string.Create(CultureInfo.InvariantCulture, $"RSS {(g <= 5 ? "flat (no growth)" : "GROWS")} while held ({ScenarioMath.SignedPercent(g)} over {holdSeconds:0} s); {result.Extra["managed_bytes_per_inflight_workflow"]} managed bytes per workflow in flight; drained {tracker.Done:N0} in {drainSeconds:0.0} s after release")
            : null;
        var rows = await system.ReadSagaRowsAsync(prefix, cancellationToken);
        SagaRows.Analyze(result, tracker.Runs, rows);
        result.PushToReadyMs = null; // includes the deliberate hold; the stages below show it
        Summarize(result);
        return result;
    }

    static void Sample(ScenarioResult result, long started, int inFlight, ProcessSampler sampler, bool managed) =>
        result.MemorySamples.Add(new MemorySample(
            ProcessSampler.Since(started),
            inFlight,
            sampler.CurrentRss(),
            managed ? Math.Round(GC.GetTotalMemory(false) / 1024.0 / 1024.0, 1) : null));

    static double ManagedHeapMiB(bool forceCollection)
    {
        if (forceCollection)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return Math.Round(GC.GetTotalMemory(forceCollection) / 1024.0 / 1024.0, 1);
    }

    static void Summarize(ScenarioResult result) =>
        Progress.Line(result.Name, string.Create(CultureInfo.InvariantCulture,
            $"done: {result.Completed:N0}/{result.Workflows:N0} completed ({result.Ready:N0} ready) in {result.Seconds:0.0} s, {result.Throughput:0.0} wf/s (steady {result.SteadyThroughput:0.0}), push→Ready p50 {result.PushToReadyMs?.P50:0} ms p99 {result.PushToReadyMs?.P99:0} ms"));

    /// <summary>What group commit made of the transactions above: the COMMITs each file ran, per workflow.</summary>
    static string GroupCommits(IReadOnlyDictionary<string, SqliteGroupCounts> before, IReadOnlyDictionary<string, SqliteGroupCounts> after, int done)
    {
        var parts = after
            .Select(kv => (File: Path.GetFileNameWithoutExtension(kv.Key), Now: kv.Value, Then: before.GetValueOrDefault(kv.Key)))
            .Select(x => (x.File, Commits: x.Now.Commits - x.Then.Commits, Transactions: x.Now.Transactions - x.Then.Transactions, Pages: x.Now.PagesWritten - x.Then.PagesWritten, Background: x.Now.BackgroundCheckpoints - x.Then.BackgroundCheckpoints, InLine: x.Now.InLineCheckpoints - x.Then.InLineCheckpoints))
            .Where(x => x.Commits > 0)
            .OrderBy(x => x.File, StringComparer.Ordinal)
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.File} {(double)x.Commits / done:0.00} ({(double)x.Transactions / x.Commits:0.0}, {(double)x.Pages / done:0.0} pages, checkpoints {x.Background} + {x.InLine} in line)"))
            .ToList();
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
