using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Etter.Benchmarks.Embedded;
using Etter.Benchmarks.Measurement;
using Etter.Benchmarks.Reporting;
using Etter.Orchestrator.Saga;
using Etter.TestSupport;
using Npgsql;
using StackExchange.Redis;

namespace Etter.Benchmarks.Distributed;

/// <summary>
/// The scenarios in distributed mode: the four services as processes on a scratch RabbitMQ vhost and
/// PostgreSQL database of the local servers, driven through the HTTP API like a client would.
/// </summary>
public sealed class DistributedBenchmark(BenchOptions options, BenchReport report, EfCommitCounter commits, string runTag, string workDirectory)
{
    static readonly TimeSpan PerWorkflowTimeout = TimeSpan.FromMinutes(5);
    static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(20);
    const string DriverName = "etter-bench (driver)";

    /// <summary>Workflows of each warm-up round after the first.</summary>
    const int WarmUpRoundWorkflows = 500;

    /// <summary>A warm-up round at least this many times as fast as the best before it means the services still warm up.</summary>
    const double StillWarmingUp = 1.05;

    const int MaxWarmUpRounds = 8;

    ScratchEnvironment _environment = null!;
    Deployment _deployment = null!;
    ServerCounters _counters = null!;
    RedisStatusWatcher _watcher = null!;
    CounterSnapshot? _quiet;
    Dictionary<string, long>? _tables;
    double _idleRate;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = InfrastructureSettings.Load();
        Progress.Line("distributed", $"servers from {(Environment.GetEnvironmentVariable("Etter__RabbitMq__Password") is { Length: > 0 } ? "the environment" : InfrastructureSettings.CredentialsFile)}; creating a scratch vhost and database");
        await using (var environment = await ScratchEnvironment.CreateAsync(settings, "etter-bench"))
        {
            environment.Keep = options.Keep;
            environment.ServicePoolSize = options.PostgresPoolSize > 0 ? options.PostgresPoolSize : null;
            _environment = environment;
            report.Settings["service_pg_max_pool_size"] = environment.ServicePoolSize?.ToString(CultureInfo.InvariantCulture) ?? "Npgsql default (100)";
            report.Settings["scratch_vhost"] = environment.VirtualHost;
            report.Settings["scratch_database"] = environment.Database;
            await RecordServerVersionsAsync(cancellationToken);
            await RunBaselinesAsync(cancellationToken);

            if (options.Runs("throughput") || options.Runs("latency") || options.Runs("batch") || options.Runs("inflight") || options.Runs("replicas"))
            {
                await RunAgainstDeploymentAsync(settings, cancellationToken);
            }
        }

        if (options.Runs("inflight"))
        {
            // No slow engine exists for the distributed AiAssessment service; the gated one runs embedded.
            var embedded = new EmbeddedBenchmark(options, report, commits, runTag, workDirectory);
            var gated = await embedded.RunInflightAsync(options.InflightWorkflows, options.HoldSeconds, cancellationToken);
            gated.Message = "Run embedded: the AiAssessment service has no slow/gated engine to configure (only rubric and mock). " + gated.Message;
            report.Scenarios.Add(gated);
        }
    }

    async Task RunBaselinesAsync(CancellationToken cancellationToken)
    {
        var seconds = TimeSpan.FromSeconds(options.BaselineSeconds);
        var connections = Math.Min(options.Concurrency, 32);
        Progress.Line("baseline", $"PostgreSQL single-row commits, {connections} connections, {seconds.TotalSeconds:0.#} s");
        report.Baselines.Postgres = await PostgresCommitBaseline.RunAsync(_environment, connections, seconds, cancellationToken);
        Progress.Line("baseline", $"PostgreSQL: {report.Baselines.Postgres.CommitsPerSecond:N0} commits/s");
        Progress.Line("baseline", $"RabbitMQ persistent publish-confirm + consume/ack, {seconds.TotalSeconds:0.#} s");
        report.Baselines.RabbitMq = await RabbitMqCommitBaseline.RunAsync(_environment, seconds, cancellationToken);
        Progress.Line("baseline", $"RabbitMQ: {report.Baselines.RabbitMq.MessagesPerSecond:N0} msg/s (publish-confirm {report.Baselines.RabbitMq.PublishConfirmPerSecond:N0}/s, consume {report.Baselines.RabbitMq.ConsumePerSecond:N0}/s)");
    }

    async Task RunAgainstDeploymentAsync(InfrastructureSettings settings, CancellationToken cancellationToken)
    {
        var logDirectory = Path.Combine(BenchOptions.OutputDirectory, "logs", runTag);
        Progress.Line("distributed", $"starting Orchestrator, RoleSetup, AiAssessment, Api ({RepositoryPaths.Configuration} build); logs in {logDirectory}");
        var overrides = Deployment.Services.SelectMany(service => options.ServiceSettings.Select(s => (service, s.Key, s.Value))).ToList();
        if (overrides.Count > 0)
        {
            report.Settings["service_settings"] = string.Join(" ", options.ServiceSettings.Select(s => $"{s.Key}={s.Value}"));
        }

        await using var deployment = await Deployment.StartAsync(_environment, logDirectory, overrides, cancellationToken);
        _deployment = deployment;
        report.Settings["service_logs"] = logDirectory;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(settings.RedisConfiguration);
        report.Servers["Redis"] = redis.GetServers().FirstOrDefault()?.Version.ToString() ?? "?";
        await using var watcher = new RedisStatusWatcher(redis, _environment.RedisKeyPrefix, StatusPoll);
        _watcher = watcher;
        await using var counters = new ServerCounters(_environment);
        _counters = counters;

        await WarmUpAsync("warmup", "warm-up", cancellationToken);
        (_idleRate, _quiet) = await _counters.MeasureIdleAsync("idle", TimeSpan.FromSeconds(5), cancellationToken);

        ScenarioResult? single = null;
        double? peak = null;
        if (options.Runs("throughput"))
        {
            var shape = options.Rate is { } rate ? LoadShape.Open(rate) : LoadShape.Closed(options.Concurrency);
            single = await RunDrivenAsync("throughput", $"{options.ThroughputWorkflows:N0} workflows at full speed", options.ThroughputWorkflows, shape, cancellationToken);
            report.Scenarios.Add(single);
            peak = single.SteadyThroughput ?? single.Throughput;
        }

        if (options.Runs("latency"))
        {
            if (peak is null && options.Rate is { } given)
            {
                peak = given * 2;
            }
            else if (peak is null)
            {
                var probe = await RunDrivenAsync("peak-probe", "peak probe", Math.Min(options.ThroughputWorkflows, 1000), LoadShape.Closed(options.Concurrency), cancellationToken);
                peak = probe.SteadyThroughput ?? probe.Throughput;
            }

            var latencyRate = Math.Max(1, (peak ?? 2) / 2);
            var count = Math.Max(20, (int)(latencyRate * options.LatencySeconds));
            var latency = await RunDrivenAsync("latency", string.Create(CultureInfo.InvariantCulture, $"latency at half the peak ({latencyRate:0.#}/s, open loop)"), count, LoadShape.Open(latencyRate), cancellationToken);
            latency.OfferedRate = Math.Round(latencyRate, 1);
            report.Scenarios.Add(latency);
        }

        if (options.Runs("batch"))
        {
            report.Scenarios.Add(await RunBatchAsync(cancellationToken));
        }

        if (options.Runs("inflight"))
        {
            report.Scenarios.Add(await RunInflightWithWorkerStoppedAsync(options.InflightWorkflows, options.HoldSeconds, cancellationToken));
        }

        if (options.Runs("replicas"))
        {
            report.Scenarios.Add(await RunReplicasAsync(single, cancellationToken));
        }
    }

    /// <summary>
    /// JIT, connection pools, caches of every service: not part of any figure. After 200 workflows, rounds of
    /// <see cref="WarmUpRoundWorkflows"/> run until one is no faster than <see cref="StillWarmingUp"/> times the best
    /// before it, or <see cref="MaxWarmUpRounds"/> rounds.
    /// </summary>
    /// <remarks>
    /// The services are four processes whose JIT this process cannot see, so the rate itself says when they are warm.
    /// 200 workflows were too few: with 1,500 the same code measured 239.0 wf/s against 194.2 (CPU per workflow 2.34
    /// against 2.90 ms in the orchestrator), while the Wolverine peer, one process, measured the same either way.
    /// </remarks>
    async Task WarmUpAsync(string name, string title, CancellationToken cancellationToken)
    {
        var workflows = 0;
        double? best = null;
        for (var round = 1; round <= MaxWarmUpRounds; round++)
        {
            var count = Math.Min(round == 1 ? 200 : WarmUpRoundWorkflows, options.ThroughputWorkflows);
            // Each round its own role names: a name pushed again is answered from the finished workflow, not run.
            var result = await RunDrivenAsync(round == 1 ? name : $"{name}{round}", $"{title} round {round}", count, LoadShape.Closed(options.Concurrency), cancellationToken, measureCosts: false);
            workflows += count;
            var rate = result.Throughput ?? 0;
            if (round > 2 && best is { } faster && rate < faster * StillWarmingUp)
            {
                break;
            }

            // The first round starts cold and carries start-up; it only sets a floor.
            best = round == 1 ? null : Math.Max(best ?? 0, rate);
        }

        report.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"distributed {title}: {workflows:N0} workflows, until a round of {Math.Min(WarmUpRoundWorkflows, options.ThroughputWorkflows):N0} was no more than {(StillWarmingUp - 1) * 100:0} % faster than the best before it (at most {MaxWarmUpRounds} rounds)"));
    }

    async Task<ScenarioResult> RunDrivenAsync(string name, string title, int count, LoadShape shape, CancellationToken cancellationToken, bool measureCosts = true)
    {
        var prefix = $"Bench {runTag} {name} ";
        var apis = _deployment.Apis.Select(p => new ApiClient(p.BaseAddress, p.Name, _environment.ApiKey)).ToList();
        try
        {
            var start = measureCosts ? _quiet ?? await _counters.SettleAsync(name, cancellationToken) : null;
            _quiet = null;
            var tablesStart = measureCosts ? _tables ?? await _counters.ReadTableWritesAsync(cancellationToken) : [];
            _tables = null;
            var logs0 = _deployment.Processes.ToDictionary(p => p.Name, p => (p.ErrorLines, p.LogLines, p.RetryLines));
            var tracker = new WorkflowTracker();
            _watcher.Tracker = tracker;
            Progress.Line(name, $"{title}: {count:N0} workflows, {shape}, through {apis.Count} API instance(s)");
            var result = new ScenarioResult { Name = name, Title = title, Load = shape.ToString(), OfferedRate = shape.Rate };
            DriveResult drive;
            (List<ProcessFigures> Processes, CpuBreakdown? Cpu) figures;
            await using (var sampler = ProcessSampler.Start(_deployment.RunningPids().Append((DriverName, Environment.ProcessId))))
            {
                drive = await LoadDriver.RunAsync(
                    name,
                    tracker,
                    count,
                    shape,
                    i => new WorkflowRun(i, string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D6}")),
                    (run, ct) => apis[run.Index % apis.Count].PushAsync(tracker, run, ct),
                    PerWorkflowTimeout,
                    cancellationToken);
                _watcher.Tracker = null;
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                figures = await sampler.StopAsync(tracker.Done, n => n == DriverName ? null : (int)(_deployment.Get(n).ErrorLines - logs0.GetValueOrDefault(n).ErrorLines));
            }

            ScenarioMath.FillFromDrive(result, tracker, drive, count);
            result.Processes.AddRange(figures.Processes);
            result.Cpu = figures.Cpu;
            result.MachineCpuBusyPercent = figures.Cpu?.MachineBusyPercent;
            result.VisibilityPollMs = StatusPoll.TotalMilliseconds;

            var connection = await _counters.ScratchAsync(cancellationToken);
            _counters.CountOwnStatement();
            var rows = await SagaRows.ReadAsync(connection, prefix, cancellationToken);
            SagaRows.Analyze(result, tracker.Runs, rows);
            var done = Math.Max(1, tracker.Done);
            var cost = result.PerWorkflow ??= new PerWorkflowCost();
            cost.Retries = Math.Round(_deployment.Processes.Sum(p => p.RetryLines - logs0.GetValueOrDefault(p.Name).RetryLines) / (double)done, 2);
            if (start is null)
            {
                Summarize(result);
                return result;
            }

            var end = await _counters.SettleAsync(name, cancellationToken);
            var tablesEnd = await _counters.ReadTableWritesAsync(cancellationToken);
            _quiet = end;
            _tables = tablesEnd;

            var seconds = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
            var background = _idleRate * seconds;
            var own = end.OwnStatements - start.OwnStatements;
            var raw = end.XactCommit - start.XactCommit - own;
            cost.CommitsRaw = Math.Round((double)raw / done, 2);
            cost.Commits = Math.Round(Math.Max(0, raw - background) / done, 2);
            cost.Rollbacks = Math.Round((double)(end.XactRollback - start.XactRollback) / done, 2);
            cost.CommitsNote = string.Create(CultureInfo.InvariantCulture,
                $"PostgreSQL xact_commit of the scratch database, read-only transactions included, minus the benchmark's own {own} statements and {background:0} background commits (idle deployment: {_idleRate:0.0}/s over {seconds:0} s)");
            cost.MessagesPublished = Math.Round((double)(end.Published - start.Published) / done, 2);
            cost.MessagesDelivered = Math.Round((double)(end.Delivered - start.Delivered) / done, 2);
            foreach (var (key, value) in tablesEnd)
            {
                var delta = value - tablesStart.GetValueOrDefault(key);
                if (delta > 0 && key != "bench_commit_baseline ins")
                {
                    cost.RowWritesByTable[key] = Math.Round((double)delta / done, 2);
                }
            }

            result.Bound = WithCpuBound(ComputeBound(result), result);
            var logLines = _deployment.Processes
                .Where(p => logs0.ContainsKey(p.Name))
                .Select(p => $"{p.Name} {(p.LogLines - logs0[p.Name].LogLines) / (double)done:0.#}");
            result.Extra["service log lines per workflow"] = string.Join(", ", logLines);
            result.Extra["error queue messages (new)"] = end.ErrorQueueMessages - start.ErrorQueueMessages;
            result.Extra["saga retries by process"] = string.Join(", ", _deployment.Processes
                .Where(p => logs0.ContainsKey(p.Name) && p.RetryLines > logs0[p.Name].RetryLines)
                .Select(p => $"{p.Name} {p.RetryLines - logs0[p.Name].RetryLines}"));
            foreach (var process in _deployment.Processes.Where(p => !p.IsRunning))
            {
                result.Errors.Add($"{process.Name} is not running; log {process.LogFile}");
            }

            if (end.ErrorQueueMessages > start.ErrorQueueMessages)
            {
                result.Errors.Add($"{end.ErrorQueueMessages - start.ErrorQueueMessages} messages landed in _error/_skipped queues");
            }

            Summarize(result);
            return result;
        }
        finally
        {
            _watcher.Tracker = null;
            apis.ForEach(a => a.Dispose());
        }
    }

    Bound? ComputeBound(ScenarioResult result)
    {
        var cost = result.PerWorkflow;
        var pg = report.Baselines.Postgres;
        var mq = report.Baselines.RabbitMq;
        if (cost is null || pg is null || mq is null)
        {
            return null;
        }

        double? commitBound = cost.Commits is > 0 ? pg.CommitsPerSecond / cost.Commits.Value : null;
        var messages = Math.Max(cost.MessagesPublished ?? 0, cost.MessagesDelivered ?? 0);
        double? messageBound = messages > 0 ? mq.MessagesPerSecond / messages : null;
        var bound = new[] { commitBound, messageBound }.Where(b => b is not null).Min();
        var limiter = bound is null ? "?" : bound == commitBound ? "postgres commits" : "rabbitmq messages";
        var measured = result.SteadyThroughput ?? result.Throughput;
        return new Bound(
            commitBound is null ? null : Math.Round(commitBound.Value, 1),
            messageBound is null ? null : Math.Round(messageBound.Value, 1),
            bound is null ? null : Math.Round(bound.Value, 1),
            limiter,
            bound is > 0 && measured is { } m ? Math.Round(m / bound.Value, 3) : null,
            string.Create(CultureInfo.InvariantCulture,
                $"min({pg.CommitsPerSecond:0} commits/s ÷ {cost.Commits:0.##} commits/wf = {commitBound:0.#}, {mq.MessagesPerSecond:0} msg/s ÷ {messages:0.##} msg/wf = {messageBound:0.#}) = {bound:0.#} wf/s; measured (steady) {measured:0.#} wf/s"));
    }

    /// <summary>Adds the CPU bound: the services' and servers' CPU per workflow against the machine's cores.</summary>
    static Bound? WithCpuBound(Bound? bound, ScenarioResult result)
    {
        var services = result.Processes.Where(p => p.Name != DriverName).Sum(p => p.CpuMsPerWorkflow ?? 0);
        var servers = result.Cpu?.ServerCpuMsPerWorkflow ?? 0;
        var perWorkflow = services + servers;
        if (bound is null || perWorkflow <= 0)
        {
            return bound;
        }

        var cpuBound = Environment.ProcessorCount * 1000 / perWorkflow;
        var measured = result.SteadyThroughput ?? result.Throughput;
        return bound with
        {
            CpuBound = Math.Round(cpuBound, 1),
            CpuFraction = measured is { } m ? Math.Round(m / cpuBound, 3) : null,
            CpuExplanation = string.Create(CultureInfo.InvariantCulture,
                $"{Environment.ProcessorCount} cores × 1000 ÷ ({services:0.#} ms services + {servers:0.#} ms servers CPU per workflow) = {cpuBound:0.#} wf/s (servers' CPU includes whatever else used them meanwhile)"),
        };
    }

    async Task<ScenarioResult> RunBatchAsync(CancellationToken cancellationToken)
    {
        var name = "batch";
        var title = $"batch of {options.BatchSize:N0} roles through POST {ApiClient.Prefix}/push-batch";
        using var api = new ApiClient(_deployment.Apis[0].BaseAddress, _deployment.Apis[0].Name, _environment.ApiKey);
        Progress.Line(name, $"sending {options.BatchSize:N0} roles in one request");
        var prefix = $"Bench {runTag} {name} ";
        var runs = Enumerable.Range(0, options.BatchSize).Select(i => new WorkflowRun(i, string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D6}"))).ToList();
        var body = new
        {
            company_id = EmbeddedSystem.Company,
            roles = runs.Select(r => ApiClient.PushBody(r.RoleName)).ToArray(),
        };
        var tracker = new WorkflowTracker();
        var result = new ScenarioResult { Name = name, Title = title, Workflows = runs.Count, Load = "one request" };
        runs.ForEach(r => r.MarkPushStarted());
        var started = Stopwatch.GetTimestamp();
        var (status, answer, milliseconds) = await api.PostBatchAsync(body, cancellationToken);
        result.PushApiMs = LatencySummary.From([milliseconds]);
        if ((int)status is < 200 or > 299)
        {
            result.Status = "failed";
            result.Message = $"push-batch answered {(int)status}: {answer[..Math.Min(300, answer.Length)]}";
            return result;
        }

        var ids = WorkflowIds(answer);
        var byRole = runs.ToDictionary(r => r.RoleName, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            var run = ids[i].RoleName is { } role && byRole.TryGetValue(role, out var named) ? named : i < runs.Count ? runs[i] : null;
            if (run is null)
            {
                continue;
            }

            run.WorkflowId = ids[i].WorkflowId;
            run.MarkPushed();
            tracker.Register(run);
            tracker.RecordPushed(run);
        }

        if (ids.Count == 0)
        {
            result.Status = "failed";
            result.Message = $"push-batch answered {(int)status} but no workflow_id was found in: {answer[..Math.Min(300, answer.Length)]}";
            return result;
        }

        _watcher.Tracker = tracker;
        var deadline = Stopwatch.GetTimestamp() + (long)(600 * Stopwatch.Frequency);
        using (Progress.Start(name, tracker, ids.Count))
        {
            while (tracker.Done < ids.Count && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }

        _watcher.Tracker = null;
        var completions = tracker.CompletionTimestamps;
        var drive = new DriveResult(started, completions.Count > 0 ? completions.Max() : Stopwatch.GetTimestamp(), ids.Count - tracker.Done);
        ScenarioMath.FillFromDrive(result, tracker, drive, runs.Count);
        result.PushApiMs = LatencySummary.From([milliseconds]);
        result.Extra["workflows accepted by the batch"] = ids.Count;
        _counters.CountOwnStatement();
        SagaRows.Analyze(result, tracker.Runs, await SagaRows.ReadAsync(await _counters.ScratchAsync(cancellationToken), prefix, cancellationToken));
        _quiet = null;
        _tables = null;
        Summarize(result);
        return result;
    }

    /// <summary>Every object in the answer with a workflow_id (and its role_name when present), in document order.</summary>
    static List<(Guid WorkflowId, string? RoleName)> WorkflowIds(string json)
    {
        var found = new List<(Guid, string?)>();

        // The batch answer lists the new workflows in the order of the roles sent (rejected roles have none).
        using (var document = JsonDocument.Parse(json))
        {
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("workflow_ids", out var ordered)
                && ordered.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in ordered.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && Guid.TryParse(item.GetString(), out var id))
                    {
                        found.Add((id, null));
                    }
                }

                return found;
            }
        }

        void Walk(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                if (element.TryGetProperty("workflow_id", out var id) && id.ValueKind == JsonValueKind.String && Guid.TryParse(id.GetString(), out var guid))
                {
                    found.Add((guid, element.TryGetProperty("role_name", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString() : null));
                }

                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && Guid.TryParse(item.GetString(), out var guid))
                    {
                        found.Add((guid, null));
                    }
                    else
                    {
                        Walk(item);
                    }
                }
            }
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            Walk(document.RootElement);
        }
        catch (JsonException)
        {
            // not JSON: no ids
        }

        return found;
    }

    /// <summary>
    /// Many workflows waiting at the assessment step with the AiAssessment worker stopped (there is no slow
    /// engine to configure): the orchestrator, RoleSetup and API hold them; their memory should not grow.
    /// </summary>
    async Task<ScenarioResult> RunInflightWithWorkerStoppedAsync(int count, double holdSeconds, CancellationToken cancellationToken)
    {
        var name = "inflight-dist";
        var title = $"{count:N0} workflows in flight (distributed, assessment worker stopped)";
        var prefix = $"Bench {runTag} {name} ";
        var result = new ScenarioResult { Name = name, Title = title, Workflows = count, Load = $"pushed at {options.Concurrency} concurrent requests, then held {holdSeconds:0} s" };
        var assessors = _deployment.Processes.Where(p => p.Name.StartsWith("AiAssessment", StringComparison.Ordinal)).ToList();
        Progress.Line(name, $"{title}: stopping {string.Join(", ", assessors.Select(p => p.Name))}");
        foreach (var process in assessors)
        {
            await process.KillAsync();
        }

        _quiet = null;
        _tables = null;
        var tracker = new WorkflowTracker();
        var apis = _deployment.Apis.Select(p => new ApiClient(p.BaseAddress, p.Name, _environment.ApiKey)).ToList();
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var sampler = ProcessSampler.Start(_deployment.RunningPids());
            var db = await _counters.ScratchAsync(cancellationToken);
            var next = -1;
            var pushers = Enumerable.Range(0, Math.Min(options.Concurrency, count)).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var run = new WorkflowRun(i, string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D6}"));
                    try
                    {
                        await apis[i % apis.Count].PushAsync(tracker, run, cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        tracker.RecordPushFailure(run, ex.Message);
                    }
                }
            }, cancellationToken)).ToList();

            // Ramp: until every workflow waits at the assessment step.
            var deadline = Stopwatch.GetTimestamp() + (long)(300 * Stopwatch.Frequency);
            (long Waiting, long Total, long Ready) counts = default;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                counts = await CountAsync(db, prefix, cancellationToken);
                await SampleAsync(result, started, (int)(counts.Total - counts.Ready), sampler, cancellationToken);
                Progress.Line(name, $"ramp: pushed {tracker.Pushed:N0}/{count:N0}, {counts.Waiting:N0} waiting at the assessment step");
                if (pushers.All(p => p.IsCompleted) && counts.Waiting >= count - tracker.PushFailures)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            await Task.WhenAll(pushers);
            result.Extra["seconds_to_get_all_in_flight"] = ProcessSampler.Since(started);
            var waitingHeld = counts.Waiting;
            result.Extra["waiting_at_assessment"] = waitingHeld;

            var holdStart = Stopwatch.GetTimestamp();
            var rssHoldStart = sampler.CurrentRss();
            while (Stopwatch.GetElapsedTime(holdStart).TotalSeconds < holdSeconds)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                await SampleAsync(result, started, count - tracker.PushFailures, sampler, cancellationToken);
            }

            var rssHoldEnd = sampler.CurrentRss();
            var growth = rssHoldStart.Where(kv => rssHoldEnd.ContainsKey(kv.Key))
                .ToDictionary(kv => kv.Key, kv => Math.Round(100 * (rssHoldEnd[kv.Key] - kv.Value) / kv.Value, 1));
            result.Extra["rss_growth_during_hold_percent"] = string.Join(", ", growth.Select(kv => $"{kv.Key} {ScenarioMath.SignedPercent(kv.Value)}"));
            result.Extra["assess-role queue depth"] = await _counters.QueueDepthAsync("assess-role", cancellationToken);

            // Release: restart the worker; everything drains.
            Progress.Line(name, $"held {holdSeconds:0} s; restarting the assessment worker");
            var release = Stopwatch.GetTimestamp();
            foreach (var process in assessors)
            {
                process.Start();
            }

            await Task.WhenAll(assessors.Select(p => p.WaitHealthyAsync(cancellationToken: cancellationToken)));
            result.Extra["worker_restart_seconds"] = ProcessSampler.Since(release);
            while (Stopwatch.GetElapsedTime(release) < TimeSpan.FromMinutes(5))
            {
                counts = await CountAsync(db, prefix, cancellationToken);
                if (counts.Ready >= count - tracker.PushFailures)
                {
                    break;
                }

                Progress.Line(name, $"draining: {counts.Ready:N0}/{count:N0} ready");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            var drainSeconds = Stopwatch.GetElapsedTime(release).TotalSeconds;
            result.Extra["drain_seconds (incl. worker restart)"] = Math.Round(drainSeconds, 1);
            result.Extra["drain_throughput"] = Math.Round(counts.Ready / drainSeconds, 1);
            var (processes, cpu) = await sampler.StopAsync(count);
            result.Processes.AddRange(processes);
            result.Cpu = cpu;
            result.MachineCpuBusyPercent = cpu?.MachineBusyPercent;
            result.PushErrors = tracker.PushFailures;
            result.PushApiMs = tracker.PushLatency.Summarize();
            _counters.CountOwnStatement();
            var rows = await SagaRows.ReadAsync(db, prefix, cancellationToken);
            result.Completed = rows.Values.Count(r => r.CurrentState is nameof(OnboardingStateMachine.Ready) or nameof(OnboardingStateMachine.Failed) or nameof(OnboardingStateMachine.Degraded)
                or nameof(OnboardingStateMachine.Cancelled) or nameof(OnboardingStateMachine.ValidationError));
            result.NotReady = result.Completed - rows.Values.Count(r => r.CurrentState == nameof(OnboardingStateMachine.Ready));
            result.TimedOut = count - tracker.PushFailures - result.Completed;
            SagaRows.Analyze(result, tracker.Runs, rows);
            result.PushToReadyMs = null; // includes the deliberate hold; not a latency figure
            result.Stages.Clear();
            var worst = growth.Count > 0 ? growth.Values.Max() : double.NaN;
            result.Message = string.Create(CultureInfo.InvariantCulture,
                $"RSS {(worst <= 5 ? "flat (no growth)" : "GROWS")} while {waitingHeld:N0} workflows waited ({result.Extra["rss_growth_during_hold_percent"]}); drained in {drainSeconds:0.0} s after the worker restarted.");
            Summarize(result);
            return result;
        }
        finally
        {
            foreach (var process in assessors.Where(p => !p.IsRunning))
            {
                process.Start();
                await process.WaitHealthyAsync(cancellationToken: cancellationToken);
            }

            apis.ForEach(a => a.Dispose());
        }
    }

    async Task<(long Waiting, long Total, long Ready)> CountAsync(NpgsqlConnection db, string prefix, CancellationToken cancellationToken)
    {
        _counters.CountOwnStatement();
        await using var command = new NpgsqlCommand(
            $"SELECT count(*) FILTER (WHERE current_state = '{nameof(OnboardingStateMachine.Processing)}' AND ai_assessment_status = 'pending'), count(*), "
            + $"count(*) FILTER (WHERE current_state = '{nameof(OnboardingStateMachine.Ready)}') FROM onboarding_state WHERE role_name LIKE @prefix",
            db);
        command.Parameters.AddWithValue("prefix", prefix + "%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    async Task SampleAsync(ScenarioResult result, long started, int inFlight, ProcessSampler sampler, CancellationToken cancellationToken)
    {
        var rss = sampler.CurrentRss();
        if (await _counters.QueueDepthAsync("assess-role", cancellationToken) is { } depth)
        {
            result.Extra["assess-role queue depth (last sample)"] = depth;
        }

        result.MemorySamples.Add(new MemorySample(ProcessSampler.Since(started), inFlight, rss, null));
    }

    async Task<ScenarioResult> RunReplicasAsync(ScenarioResult? single, CancellationToken cancellationToken)
    {
        Progress.Line("replicas", $"starting {options.Replicas - 1} more instance(s) of Orchestrator, RoleSetup, AiAssessment and Api");
        var before = _deployment.Processes.Count;
        await _deployment.AddReplicasAsync(options.Replicas, cancellationToken);

        // The new processes must be warm too (JIT, pools, caches), as the single ones were.
        await WarmUpAsync("warmup-replicas", "warm-up of the new instances", cancellationToken);
        (_idleRate, _quiet) = await _counters.MeasureIdleAsync("replicas", TimeSpan.FromSeconds(5), cancellationToken);
        _tables = null;
        Progress.Line("replicas", $"{_deployment.Processes.Count - before} processes added; {_deployment.Processes.Count} running");
        var result = await RunDrivenAsync(
            "replicas",
            $"{options.ThroughputWorkflows:N0} workflows, {options.Replicas} instances of each service (pushes spread over the APIs)",
            options.ThroughputWorkflows,
            LoadShape.Closed(options.Concurrency),
            cancellationToken);
        var baseline = single?.SteadyThroughput ?? single?.Throughput;
        var now = result.SteadyThroughput ?? result.Throughput;
        if (baseline is > 0 && now is { } n)
        {
            var ratio = n / baseline.Value;
            result.Extra["throughput vs one instance"] = Math.Round(ratio, 3);
            var verdict = ratio >= 1.05 ? "rises" : ratio >= 0.95 ? "holds" : "DROPS";
            var errors = result.PushErrors + result.NotReady + result.TimedOut + result.Processes.Sum(p => p.LoggedErrors ?? 0);
            result.Message = string.Create(CultureInfo.InvariantCulture,
                $"throughput {verdict}: {n:0.#} wf/s with {options.Replicas} instances vs {baseline:0.#} with one (x{ratio:0.00}); errors: {result.PushErrors} push, {result.NotReady} not ready, {result.TimedOut} timed out, {result.Processes.Sum(p => p.LoggedErrors ?? 0)} logged by services ({(errors == 0 ? "none" : "see below")}).");
        }

        return result;
    }

    async Task RecordServerVersionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var admin = await _environment.OpenAdminDatabaseAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('max_connections'), current_setting('synchronous_commit'), current_setting('shared_buffers')", admin);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                report.Servers["PostgreSQL"] = $"{reader.GetString(0)} (max_connections {reader.GetString(1)}, synchronous_commit {reader.GetString(2)}, shared_buffers {reader.GetString(3)})";
            }
        }
        catch (NpgsqlException ex)
        {
            report.Servers["PostgreSQL"] = $"? ({ex.Message})";
        }

        var overview = await _environment.ManagementGetAsync("overview", cancellationToken);
        if (overview is { } o && o.TryGetProperty("rabbitmq_version", out var version))
        {
            report.Servers["RabbitMQ"] = $"{version.GetString()} (Erlang {(o.TryGetProperty("erlang_version", out var erlang) ? erlang.GetString() : "?")})";
        }
    }

    static void Summarize(ScenarioResult result) =>
        Progress.Line(result.Name, string.Create(CultureInfo.InvariantCulture,
            $"done: {result.Completed:N0}/{result.Workflows:N0} completed ({result.Ready:N0} ready) in {result.Seconds:0.0} s, {result.Throughput:0.0} wf/s (steady {result.SteadyThroughput:0.0}), push→Ready p50 {result.PushToReadyMs?.P50:0} ms p99 {result.PushToReadyMs?.P99:0} ms, push API p50 {result.PushApiMs?.P50:0.0} ms"));
}
