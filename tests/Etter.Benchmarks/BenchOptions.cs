using System.Globalization;
using Etter.TestSupport;

namespace Etter.Benchmarks;

public enum BenchMode
{
    Embedded,
    Distributed,
}

/// <summary>What to run, from the command line. Every figure has a default sized for a 2-core machine.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        etter-bench: push workflows through Etter and print throughput, latency, cost per workflow and memory.

        dotnet run -c Release --project tests/Etter.Benchmarks -- [options]

          --mode embedded|distributed   embedded: everything in this process (in-memory bus, SQLite).
                                        distributed: the four services as processes on a scratch RabbitMQ
                                        vhost + PostgreSQL database of the local servers (default: embedded)
          --scenario S                  all|throughput|latency|inflight|batch|replicas, comma-separated (default: all)
          --workflows N                 workflows of the throughput and replicas scenarios
                                        (default: 10000)
          --concurrency C               closed loop: workflows kept in flight (default: 64)
          --rate R                      open loop instead: pushes per second for the throughput scenario
          --latency-seconds S           length of the latency scenario (default: 20)
          --inflight N                  workflows held at the assessment in the inflight scenario (default: 10000)
          --hold-seconds S              how long they are held (default: 20)
          --batch-size N                roles of the batch scenario (default: 2500)
          --replicas N                  instances of each service in the replicas scenario (default: 2)
          --baseline-seconds S          length of each raw server baseline (default: 5)
          --pg-pool N                   distributed: Maximum Pool Size of every service's PostgreSQL connection
                                        string (default: 20; 0 = Npgsql's default of 100 per process, which lets
                                        replicas exhaust a shared server's max_connections)
          --service-env KEY=VALUE       distributed: extra setting for every service process (repeatable), e.g.
                                        Logging__LogLevel__Microsoft.EntityFrameworkCore=Warning
          --json PATH                   where to write the JSON report (default: .etter/bench/latest.json)
          --peer-result FILE            the JSON line another implementation's benchmark printed for the same
                                        workflow (e.g. the Wolverine peer's run.sh stdout), run just before on the
                                        same servers: the report adds throughput as a ratio of the peer's
          --keep                        keep the scratch vhost/database and the embedded data directory
          -h, --help                    this text

        Distributed mode reads the servers' settings from Etter__* / ETTER_RABBITMQ_ADMIN_* environment
        variables or from .etter/local/credentials.env (as written by deploy/local/up.sh); deploy/local/bench.sh
        starts the servers, builds Release and runs this program.
        """;

    static readonly string[] AllScenarios = ["throughput", "latency", "inflight", "batch", "replicas"];

    public BenchMode Mode { get; private set; } = BenchMode.Embedded;

    public IReadOnlySet<string> Scenarios { get; private set; } = new HashSet<string>(AllScenarios, StringComparer.Ordinal);

    public int? Workflows { get; private set; }

    public int Concurrency { get; private set; } = 64;

    public double? Rate { get; private set; }

    public double LatencySeconds { get; private set; } = 20;

    /// <summary>Where reports and service logs go: .etter/bench/ (git-ignored).</summary>
    public static string OutputDirectory => Path.Combine(RepositoryPaths.Root, ".etter", "bench");

    public int? Inflight { get; private set; }

    public double HoldSeconds { get; private set; } = 20;

    public int BatchSize { get; private set; } = 2500;

    public int Replicas { get; private set; } = 2;

    public double BaselineSeconds { get; private set; } = 5;

    public int PostgresPoolSize { get; private set; } = 20;

    public IReadOnlyList<(string Key, string Value)> ServiceSettings => _serviceSettings;

    readonly List<(string Key, string Value)> _serviceSettings = [];

    public string? JsonPath { get; private set; }

    public bool Keep { get; private set; }

    /// <summary>The peer's figures (--peer-result), read while parsing so a bad file is reported with the usage.</summary>
    public Reporting.PeerResult? Peer { get; private set; }

    public bool ShowHelp { get; private set; }

    public int ThroughputWorkflows => Workflows ?? 10_000;

    public int InflightWorkflows => Inflight ?? 10_000;

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inlineValue = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    options.ShowHelp = true;
                    break;
                case "--mode":
                    options.Mode = Value().ToUpperInvariant() switch
                    {
                        "EMBEDDED" => BenchMode.Embedded,
                        "DISTRIBUTED" => BenchMode.Distributed,
                        var other => throw new ArgumentException($"--mode must be embedded or distributed, not '{other.ToLowerInvariant()}'."),
                    };
                    break;
                case "--scenario" or "--scenarios":
                    options.Scenarios = ParseScenarios(Value());
                    break;
                case "--workflows":
                    options.Workflows = PositiveInt(arg, Value());
                    break;
                case "--concurrency":
                    options.Concurrency = PositiveInt(arg, Value());
                    break;
                case "--rate":
                    options.Rate = PositiveDouble(arg, Value());
                    break;
                case "--latency-seconds":
                    options.LatencySeconds = PositiveDouble(arg, Value());
                    break;
                case "--inflight":
                    options.Inflight = PositiveInt(arg, Value());
                    break;
                case "--hold-seconds":
                    options.HoldSeconds = PositiveDouble(arg, Value());
                    break;
                case "--batch-size":
                    options.BatchSize = PositiveInt(arg, Value());
                    break;
                case "--replicas":
                    options.Replicas = PositiveInt(arg, Value());
                    break;
                case "--baseline-seconds":
                    options.BaselineSeconds = PositiveDouble(arg, Value());
                    break;
                case "--pg-pool":
                    options.PostgresPoolSize = int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pool) && pool >= 0
                        ? pool
                        : throw new ArgumentException("--pg-pool must be 0 or a positive integer.");
                    break;
                case "--service-env":
                    var setting = Value();
                    var split = setting.IndexOf('=', StringComparison.Ordinal);
                    if (split <= 0)
                    {
                        throw new ArgumentException($"--service-env needs KEY=VALUE, not '{setting}'.");
                    }

                    options._serviceSettings.Add((setting[..split], setting[(split + 1)..]));
                    break;
                case "--json":
                    options.JsonPath = Value();
                    break;
                case "--keep":
                    options.Keep = true;
                    break;
                case "--peer-result":
                    options.Peer = Reporting.PeerResult.Load(Value());
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Try --help.");
            }
        }

        if (options.Replicas < 2 && options.Runs("replicas"))
        {
            throw new ArgumentException("--replicas must be at least 2 for the replicas scenario.");
        }

        return options;
    }

    static HashSet<string> ParseScenarios(string value)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part.ToLowerInvariant();
            if (name == "all")
            {
                set.UnionWith(AllScenarios);
            }
            else if (AllScenarios.Contains(name))
            {
                set.Add(name);
            }
            else
            {
                throw new ArgumentException($"Unknown scenario '{part}'; use all or {string.Join(", ", AllScenarios)}.");
            }
        }

        return set.Count > 0 ? set : throw new ArgumentException("--scenario needs at least one scenario.");
    }

    static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'.");

    static double PositiveDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n)
            ? n
            : throw new ArgumentException($"{name} must be a positive number, not '{value}'.");
}
