using System.Globalization;
using System.Text;
using Etter.Benchmarks.Measurement;

namespace Etter.Benchmarks.Reporting;

/// <summary>The human-readable report: one summary table with a column per scenario, then details.</summary>
public static class ReportPrinter
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        var m = report.Machine;
        sb.AppendLine(Inv, $"Etter Workflows benchmark: {report.Mode} mode, {report.StartedAt:yyyy-MM-dd HH:mm} UTC{(report.GitCommit is null ? "" : $", commit {report.GitCommit}")}");
        sb.AppendLine(Inv, $"Machine: {m.Cores} cores ({m.CpuModel ?? "?"}), {m.MemoryGiB:0.#} GiB, {m.Os}, {m.Runtime} (SDK {m.SdkVersion ?? "?"}), driver GC {m.GcMode}");
        if (report.Servers.Count > 0)
        {
            sb.AppendLine("Servers: " + string.Join(", ", report.Servers.Select(kv => $"{kv.Key} {kv.Value}")));
        }

        sb.AppendLine("Command: " + report.CommandLine);
        if (report.Peer is { } peer)
        {
            var minutesBefore = (report.StartedAt - peer.WrittenAt).TotalMinutes;
            sb.AppendLine(Inv, $"Peer: {peer.Name} {peer.WorkflowsPerSecond:0.0} wf/s ({peer.Workflows?.ToString("N0", Inv) ?? "?"} workflows, {peer.Inflight?.ToString(Inv) ?? "?"} in flight, p99 {peer.P99Ms?.ToString("N0", Inv) ?? "?"} ms), its result written {minutesBefore:0} min before this run");
        }

        sb.AppendLine();
        RenderBaselines(sb, report.Baselines);
        RenderSummary(sb, report.Scenarios, report.Peer);
        foreach (var scenario in report.Scenarios)
        {
            RenderScenario(sb, scenario);
        }

        if (report.Notes.Count > 0)
        {
            sb.AppendLine("Notes");
            foreach (var note in report.Notes)
            {
                sb.AppendLine("  - " + note);
            }
        }

        return sb.ToString();
    }

    static void RenderBaselines(StringBuilder sb, Baselines b)
    {
        var rows = new List<string[]>();
        if (b.Sqlite is { } s)
        {
            rows.Add(["SQLite single-row commits", F(s.CommitsPerSecond, "N0") + " commits/s", $"{s.Connections} connections, WAL, {s.Seconds:0.#} s, {s.Commits:N0} commits"]);
        }

        if (b.Postgres is { } p)
        {
            rows.Add(["PostgreSQL single-row commits", F(p.CommitsPerSecond, "N0") + " commits/s", $"{p.Connections} connections, {p.Seconds:0.#} s, {p.Commits:N0} commits, table {p.Table}"]);
        }

        if (b.RabbitMq is { } r)
        {
            rows.Add(["RabbitMQ persistent publish+consume", F(r.MessagesPerSecond, "N0") + " msg/s",
                $"publish-confirm {r.PublishConfirmPerSecond:N0}/s (batches of {r.ConfirmBatch}), consume+ack {r.ConsumePerSecond:N0}/s (prefetch {r.Prefetch}), {r.MessageBytes} B, {r.Seconds:0.#} s"]);
        }

        if (rows.Count == 0)
        {
            return;
        }

        sb.AppendLine("Baselines (raw servers, same machine)");
        Table(sb, rows, indent: 2);
        sb.AppendLine();
    }

    static void RenderSummary(StringBuilder sb, List<ScenarioResult> scenarios, PeerResult? peer)
    {
        var shown = scenarios.Where(s => s.Status == "ok").ToList();
        if (shown.Count == 0)
        {
            return;
        }

        List<string[]> rows = [["", .. shown.Select(s => s.Name)]];
        void Row(string label, Func<ScenarioResult, string> value) => rows.Add([label, .. shown.Select(value)]);
        Row("load", s => s.Load ?? "");
        Row("workflows (completed/ready)", s => $"{s.Workflows:N0} ({s.Completed:N0}/{s.Ready:N0})");
        Row("throughput wf/s (steady)", s => s.Throughput is null ? "" : $"{F(s.Throughput)} ({F(s.SteadyThroughput)})");
        Row("push→Ready ms p50/p95/p99/max", s => Quad(s.PushToReadyMs));
        Row("push→Ready seen ms p50/p99", s => Pair(s.PushToVisibleMs));
        Row("push API ms p50/p95/p99", s => Triple(s.PushApiMs));
        Row("visibility lag ms p50/p99", s => Pair(s.VisibilityLagMs));
        Row("transitions / wf", s => F(s.PerWorkflow?.Transitions));
        Row("commits / wf", s => F(s.PerWorkflow?.Commits));
        Row("retries / rollbacks per wf", s => s.PerWorkflow?.Retries is null && s.PerWorkflow?.Rollbacks is null ? "" : $"{F(s.PerWorkflow!.Retries)} / {F(s.PerWorkflow.Rollbacks)}");
        Row("messages / wf (pub/deliv)", s => s.PerWorkflow?.MessagesPublished is null ? "" : $"{F(s.PerWorkflow.MessagesPublished)}/{F(s.PerWorkflow.MessagesDelivered)}");
        Row("peak RSS MiB (max of processes)", s => s.Processes.Count == 0 ? "" : F(s.Processes.Max(p => p.PeakRssMiB ?? p.MaxRssMiB ?? 0), "0"));
        Row("CPU % machine (etter/servers/other)", s => s.Cpu is { } c ? $"{F(c.MachineBusyPercent, "0")} ({F(c.MeasuredProcessesPercent, "0")}/{F(c.ServersPercent, "0")}/{F(c.OtherPercent, "0")})" : "");
        Row("bound wf/s (limiter)", s => s.Bound?.Value is null ? "" : $"{F(s.Bound.Value)} ({s.Bound.Limiter})");
        Row("throughput / bound", s => s.Bound?.Fraction is { } f ? f.ToString("P0", Inv) : "");
        if (peer is not null)
        {
            // Only the throughput scenario runs the workload the peer's benchmark runs.
            Row($"throughput / {peer.Name} peer", s => s.Name == "throughput" && s.Throughput is { } t ? $"{t / peer.WorkflowsPerSecond:0.00}x" : "");
        }

        Row("CPU bound wf/s (throughput / it)", s => s.Bound?.CpuBound is { } c ? $"{F(c)} ({(s.Bound.CpuFraction is { } cf ? cf.ToString("P0", Inv) : "")})" : "");
        Row("errors (push/not ready/timeout)", s => $"{s.PushErrors}/{s.NotReady}/{s.TimedOut}");
        sb.AppendLine("Summary");
        Table(sb, rows, indent: 2);
        sb.AppendLine();
    }

    static void RenderScenario(StringBuilder sb, ScenarioResult s)
    {
        sb.AppendLine(Inv, $"[{s.Name}] {s.Title}{(s.Load is null ? "" : $" ({s.Load})")}");
        if (s.Status != "ok")
        {
            sb.AppendLine(Inv, $"  {s.Status.Replace('_', ' ')}: {s.Message}");
            sb.AppendLine();
            return;
        }

        if (s.Message is not null)
        {
            sb.AppendLine("  " + s.Message);
        }

        var stages = s.Stages.Where(kv => kv.Value is not null).ToList();
        if (stages.Count > 0)
        {
            List<string[]> rows = [["where the time goes (from the saga row)", "p50 ms", "p95 ms", "p99 ms", "max ms"]];
            rows.AddRange(stages.Select(kv => new[] { kv.Key, F(kv.Value!.P50), F(kv.Value.P95), F(kv.Value.P99), F(kv.Value.Max) }));
            Table(sb, rows, indent: 2);
        }

        if (s.Processes.Count > 0)
        {
            List<string[]> rows = [["process", "RSS start", "RSS end", "RSS max", "peak (VmHWM)", "CPU s", "CPU ms/wf", "errors logged"]];
            rows.AddRange(s.Processes.Select(p => new[]
            {
                p.Name, F(p.StartRssMiB, "0"), F(p.EndRssMiB, "0"), F(p.MaxRssMiB, "0"), F(p.PeakRssMiB, "0"), F(p.CpuSeconds, "0.0"), F(p.CpuMsPerWorkflow, "0.00"), p.LoggedErrors?.ToString(Inv) ?? "",
            }));
            Table(sb, rows, indent: 2, note: "memory in MiB");
        }

        if (s.Cpu is { } cpu)
        {
            sb.AppendLine(Inv, $"  CPU (% of all {Environment.ProcessorCount} cores): machine {F(cpu.MachineBusyPercent, "0")}%, measured processes {F(cpu.MeasuredProcessesPercent, "0")}%, servers (postgres, beam.smp, redis-server) {F(cpu.ServersPercent, "0")}% = {F(cpu.ServerCpuMsPerWorkflow, "0.0")} ms/wf, other {F(cpu.OtherPercent, "0")}%; load average {F(cpu.LoadAverageStart, "0.0")} → {F(cpu.LoadAverageEnd, "0.0")}");
        }

        if (s.PerWorkflow is { } cost)
        {
            var parts = new List<string>();
            if (cost.CommitsByDatabase.Count > 0)
            {
                parts.Add("commits/wf by database: " + string.Join(", ", cost.CommitsByDatabase.Select(kv => $"{kv.Key} {F(kv.Value)}")));
            }

            if (cost.CommitsRaw is not null)
            {
                parts.Add($"commits/wf before subtracting background polling: {F(cost.CommitsRaw)}");
            }

            if (cost.RowWritesByTable.Count > 0)
            {
                parts.Add("row writes/wf: " + string.Join(", ", cost.RowWritesByTable.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {F(kv.Value)}")));
            }

            if (cost.CommitsNote is not null)
            {
                parts.Add("commits = " + cost.CommitsNote);
            }

            foreach (var part in parts)
            {
                sb.AppendLine("  " + part);
            }
        }

        if (s.Bound is { } bound)
        {
            sb.AppendLine("  bound: " + bound.Explanation);
            if (bound.CpuExplanation is not null)
            {
                sb.AppendLine("  CPU bound: " + bound.CpuExplanation);
            }
        }

        foreach (var (key, value) in s.Extra)
        {
            sb.AppendLine(Inv, $"  {key.Replace('_', ' ')}: {Value(value)}");
        }

        if (s.MemorySamples.Count > 0)
        {
            var names = s.MemorySamples.SelectMany(x => x.RssMiB.Keys).Distinct().ToList();
            var step = Math.Max(1, s.MemorySamples.Count / 12);
            List<string[]> rows = [["t s", "in flight", .. names.Select(n => $"RSS {n}"), "managed heap"]];
            rows.AddRange(s.MemorySamples.Where((_, i) => i % step == 0 || i == s.MemorySamples.Count - 1).Select(x => (string[])
            [
                F(x.Seconds, "0"), x.InFlight.ToString("N0", Inv), .. names.Select(n => x.RssMiB.TryGetValue(n, out var v) ? F(v, "0") : ""), F(x.ManagedHeapMiB, "0.0"),
            ]));
            Table(sb, rows, indent: 2, note: "memory over time (MiB)");
        }

        foreach (var error in s.Errors)
        {
            sb.AppendLine("  error: " + error);
        }

        sb.AppendLine();
    }

    static string Value(object? value) => value switch
    {
        null => "",
        double d => F(d),
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "",
    };

    static string Quad(LatencySummary? l) => l is null ? "" : $"{F(l.P50, "0")}/{F(l.P95, "0")}/{F(l.P99, "0")}/{F(l.Max, "0")}";

    static string Triple(LatencySummary? l) => l is null ? "" : $"{F(l.P50, "0.0")}/{F(l.P95, "0.0")}/{F(l.P99, "0.0")}";

    static string Pair(LatencySummary? l) => l is null ? "" : $"{F(l.P50, "0")}/{F(l.P99, "0")}";

    static string F(double? value, string format = "0.##") => value is { } v ? v.ToString(format, Inv) : "";

    static void Table(StringBuilder sb, List<string[]> rows, int indent, string? note = null)
    {
        var columns = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var pad = new string(' ', indent);
        if (note is not null)
        {
            sb.AppendLine(pad + note);
        }

        foreach (var row in rows)
        {
            var cells = Enumerable.Range(0, columns).Select(c =>
            {
                var cell = c < row.Length ? row[c] : "";
                return c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]);
            });
            sb.AppendLine((pad + string.Join("  ", cells)).TrimEnd());
        }
    }
}
