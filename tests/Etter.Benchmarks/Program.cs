using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Etter.Benchmarks;
using Etter.Benchmarks.Distributed;
using Etter.Benchmarks.Embedded;
using Etter.Benchmarks.Measurement;
using Etter.Benchmarks.Reporting;
using Etter.TestSupport;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Progress.Line("bench", "interrupted: cleaning up (scratch vhost/database, service processes)");
    cancel.Cancel();
};

var runTag = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
var report = new BenchReport
{
    StartedAt = DateTimeOffset.UtcNow,
    Mode = options.Mode.ToString().ToLowerInvariant(),
    CommandLine = "etter-bench " + string.Join(' ', args),
    Machine = MachineInfo.Collect(),
    GitCommit = RepositoryPaths.GitCommit(),
    Peer = options.Peer,
};
report.Settings["workflows"] = options.ThroughputWorkflows;
report.Settings["concurrency"] = options.Concurrency;
report.Settings["rate"] = options.Rate;
report.Settings["scenarios"] = string.Join(",", options.Scenarios.Order(StringComparer.Ordinal));
report.Settings["latency_seconds"] = options.LatencySeconds;
report.Settings["inflight"] = options.InflightWorkflows;
report.Settings["hold_seconds"] = options.HoldSeconds;
report.Settings["batch_size"] = options.BatchSize;
report.Settings["replicas"] = options.Replicas;
report.Settings["baseline_seconds"] = options.BaselineSeconds;
report.Settings["build_configuration"] = RepositoryPaths.Configuration;

var workDirectory = Path.Combine(Path.GetTempPath(), $"etter-bench-{runTag}");
var exitCode = 0;
using var commits = new EfCommitCounter();
try
{
    if (options.Mode == BenchMode.Embedded)
    {
        await new EmbeddedBenchmark(options, report, commits, runTag, workDirectory).RunAsync(cancel.Token);
    }
    else
    {
        await new DistributedBenchmark(options, report, commits, runTag, workDirectory).RunAsync(cancel.Token);
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    report.Notes.Add("Interrupted; figures are partial.");
    exitCode = 130;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException or Npgsql.NpgsqlException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
{
    Console.Error.WriteLine($"benchmark failed: {ex.Message}");
    report.Notes.Add($"Failed: {ex.GetType().Name}: {ex.Message}");
    exitCode = 1;
}
finally
{
    if (!options.Keep && Directory.Exists(workDirectory))
    {
        try
        {
            Directory.Delete(workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a temp directory left behind is harmless
        }
    }
}

report.FinishedAt = DateTimeOffset.UtcNow;
if (report.Scenarios.Any(s => s.Status == "failed") && exitCode == 0)
{
    exitCode = 1;
}

Console.WriteLine();
Console.WriteLine(ReportPrinter.Render(report));

var jsonPath = Path.GetFullPath(options.JsonPath ?? Path.Combine(BenchOptions.OutputDirectory, "latest.json"));
Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, new JsonSerializerOptions
{
    WriteIndented = true,
    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = null,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
}));
Console.WriteLine($"JSON report: {jsonPath}");
return exitCode;
