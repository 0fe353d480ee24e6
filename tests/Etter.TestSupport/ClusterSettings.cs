namespace Etter.TestSupport;

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
