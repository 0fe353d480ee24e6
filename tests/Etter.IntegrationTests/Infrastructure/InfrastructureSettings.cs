using Etter.TestSupport;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// Where the real servers are and how to log in, from the environment (deploy/local/test.sh exports
/// them) or from the credentials file deploy/local/up.sh writes. Nothing here has a default password.
/// </summary>
public sealed record InfrastructureSettings(
    string RabbitHost,
    int RabbitPort,
    int RabbitManagementPort,
    string RabbitUser,
    string RabbitPassword,
    string RabbitAdminUser,
    string RabbitAdminPassword,
    string PostgresConnectionString,
    string RedisConfiguration)
{
    public const string HowToStart = "Start the servers with `deploy/local/up.sh --infra-only` (deploy/local/test.sh does this for you).";

    public static InfrastructureSettings Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = Path.Combine(RepositoryPaths.Root, ".etter", "local", "credentials.env");
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var trimmed = line.Trim();
                var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
                if (trimmed.Length > 0 && !trimmed.StartsWith('#') && equals > 0)
                {
                    values[trimmed[..equals]] = trimmed[(equals + 1)..].Trim('"', '\'');
                }
            }
        }

        string Get(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } fromEnv ? fromEnv
            : values.TryGetValue(name, out var fromFile) ? fromFile
            : throw new InvalidOperationException($"Setting {name} is missing (no environment variable, not in {file}). {HowToStart}");

        return new InfrastructureSettings(
            Get("Etter__RabbitMq__Host"),
            int.Parse(Get("Etter__RabbitMq__Port"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Get("Etter__RabbitMq__ManagementPort"), System.Globalization.CultureInfo.InvariantCulture),
            Get("Etter__RabbitMq__Username"),
            Get("Etter__RabbitMq__Password"),
            Get("ETTER_RABBITMQ_ADMIN_USER"),
            Get("ETTER_RABBITMQ_ADMIN_PASSWORD"),
            Get("Etter__Postgres__ConnectionString"),
            Get("Etter__Redis__Configuration"));
    }
}

/// <summary>
/// The local 3-node RabbitMQ cluster of deploy/local/cluster-up.sh, from the credentials file it writes
/// (<c>.etter/local/cluster/credentials.env</c>, git-ignored).
/// </summary>
public sealed record ClusterSettings(
    IReadOnlyList<string> Nodes,
    IReadOnlyList<int> ManagementPorts,
    string AdminUser,
    string AdminPassword,
    string User,
    string Password)
{
    public const string HowToStart = "Start the cluster with `deploy/local/cluster-up.sh` (deploy/local/test.sh does this for you).";

    public static string Directory { get; } = Path.Combine(RepositoryPaths.Root, ".etter", "local", "cluster");

    /// <summary>The node's own PID file (beam.smp), written by the node itself.</summary>
    public static string PidFile(int node) => Path.Combine(Directory, $"node{node}", "rabbit.pid");

    /// <summary>1 for <c>rabbit-c1@localhost</c>, and so on.</summary>
    public static int NodeIndex(string nodeName) =>
        int.Parse(nodeName["rabbit-c".Length..nodeName.IndexOf('@', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);

    public static ClusterSettings Load()
    {
        var file = Path.Combine(Directory, "credentials.env");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"No cluster credentials at {file}. {HowToStart}");
        }

        var values = File.ReadAllLines(file)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\''), StringComparer.Ordinal);
        string Get(string name) => values.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"{name} is missing in {file}. {HowToStart}");
        return new ClusterSettings(
            Get("ETTER_CLUSTER_NODES").Split(','),
            Get("ETTER_CLUSTER_MANAGEMENT_PORTS").Split(',').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            Get("ETTER_CLUSTER_ADMIN_USER"),
            Get("ETTER_CLUSTER_ADMIN_PASSWORD"),
            Get("ETTER_CLUSTER_USER"),
            Get("ETTER_CLUSTER_PASSWORD"));
    }
}
