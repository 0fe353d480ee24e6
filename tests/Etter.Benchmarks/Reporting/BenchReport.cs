using Etter.Benchmarks.Measurement;

namespace Etter.Benchmarks.Reporting;

/// <summary>Everything one benchmark run measured; printed as tables and written as JSON.</summary>
public sealed class BenchReport
{
    public string Tool { get; init; } = "etter-bench";

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string Mode { get; init; } = "";

    public string CommandLine { get; init; } = "";

    public string? GitCommit { get; set; }

    public MachineInfo Machine { get; init; } = null!;

    public Dictionary<string, string> Servers { get; } = [];

    public Dictionary<string, object?> Settings { get; } = [];

    public Baselines Baselines { get; } = new();

    public List<ScenarioResult> Scenarios { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>The other implementation this run is compared with (--peer-result), if any.</summary>
    public PeerResult? Peer { get; set; }
}

public sealed class Baselines
{
    public PostgresBaseline? Postgres { get; set; }

    public RabbitMqBaseline? RabbitMq { get; set; }

    public SqliteBaseline? Sqlite { get; set; }
}

public sealed record PostgresBaseline(int Connections, double Seconds, long Commits, double CommitsPerSecond, string Table);

public sealed record RabbitMqBaseline(
    double Seconds,
    int MessageBytes,
    int ConfirmBatch,
    int Prefetch,
    long Published,
    long Consumed,
    double PublishConfirmPerSecond,
    double ConsumePerSecond,
    double MessagesPerSecond);

public sealed record SqliteBaseline(int Connections, double Seconds, long Commits, double CommitsPerSecond, string JournalMode);

public sealed class ScenarioResult
{
    public string Name { get; init; } = "";

    public string Title { get; init; } = "";

    /// <summary>ok, not_available, failed.</summary>
    public string Status { get; set; } = "ok";

    public string? Message { get; set; }

    public string? Load { get; set; }

    public int Workflows { get; set; }

    public int Completed { get; set; }

    public int Ready { get; set; }

    public int NotReady { get; set; }

    public int PushErrors { get; set; }

    public int TimedOut { get; set; }

    public double? Seconds { get; set; }

    /// <summary>Completed workflows per second, first push to last completion.</summary>
    public double? Throughput { get; set; }

    /// <summary>Between the 10th and the 90th percentile completion: the rate without ramp-up and tail.</summary>
    public double? SteadyThroughput { get; set; }

    public double? OfferedRate { get; set; }

    /// <summary>Push start to the saga committing Ready (its updated_at).</summary>
    public LatencySummary? PushToReadyMs { get; set; }

    /// <summary>Push start to the benchmark seeing Ready in the status store.</summary>
    public LatencySummary? PushToVisibleMs { get; set; }

    public LatencySummary? PushApiMs { get; set; }

    /// <summary>A status version's updated_at to the benchmark seeing it in the status store.</summary>
    public LatencySummary? VisibilityLagMs { get; set; }

    public double? VisibilityPollMs { get; set; }

    /// <summary>Where the time goes, from the saga row's timestamps.</summary>
    public Dictionary<string, LatencySummary?> Stages { get; } = [];

    public PerWorkflowCost? PerWorkflow { get; set; }

    public List<ProcessFigures> Processes { get; } = [];

    public double? MachineCpuBusyPercent { get; set; }

    /// <summary>Who used the machine's CPU during the scenario (the machine may be shared).</summary>
    public CpuBreakdown? Cpu { get; set; }

    public Bound? Bound { get; set; }

    public List<MemorySample> MemorySamples { get; } = [];

    public Dictionary<string, object?> Extra { get; } = [];

    public List<string> Errors { get; } = [];
}

public sealed class PerWorkflowCost
{
    /// <summary>Saga status changes (the <c>revision</c> column), average over completed workflows.</summary>
    public double? Transitions { get; set; }

    public double? TransitionsMax { get; set; }

    /// <summary>Database commits per workflow (PostgreSQL: xact_commit, background polling subtracted; SQLite: write transactions).</summary>
    public double? Commits { get; set; }

    public double? CommitsRaw { get; set; }

    public string? CommitsNote { get; set; }

    public Dictionary<string, double> CommitsByDatabase { get; } = [];

    /// <summary>Transactions rolled back per workflow (PostgreSQL xact_rollback): lost optimistic-concurrency races, mostly.</summary>
    public double? Rollbacks { get; set; }

    /// <summary>Messages handled again by an endpoint's retry policy ("R-RETRY" log lines) per workflow.</summary>
    public double? Retries { get; set; }

    public double? MessagesPublished { get; set; }

    public double? MessagesDelivered { get; set; }

    public Dictionary<string, double> RowWritesByTable { get; } = [];
}

public sealed record ProcessFigures(string Name, int? Pid, double? StartRssMiB, double? EndRssMiB, double? MaxRssMiB, double? PeakRssMiB, double? CpuSeconds, double? CpuMsPerWorkflow, int? LoggedErrors);

public sealed record MemorySample(double Seconds, int InFlight, Dictionary<string, double> RssMiB, double? ManagedHeapMiB);

public sealed record Bound(
    double? CommitBound,
    double? MessageBound,
    double? Value,
    string Limiter,
    double? Fraction,
    string Explanation)
{
    /// <summary>
    /// What the machine's cores allow at the CPU the workflows actually cost (services + servers, per
    /// workflow, measured in this scenario): cores × 1000 ÷ CPU ms per workflow.
    /// </summary>
    public double? CpuBound { get; init; }

    public double? CpuFraction { get; init; }

    public string? CpuExplanation { get; init; }
}

/// <summary>
/// Percent of all cores: busy overall, the benchmark's own processes, the servers (every postgres, beam.smp
/// and redis-server process on the machine, whoever uses them) and everything else.
/// </summary>
public sealed record CpuBreakdown(
    double MachineBusyPercent,
    double MeasuredProcessesPercent,
    double ServersPercent,
    double OtherPercent,
    double? ServerCpuMsPerWorkflow,
    double? LoadAverageStart,
    double? LoadAverageEnd);
