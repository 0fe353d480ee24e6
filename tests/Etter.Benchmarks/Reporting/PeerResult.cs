using System.Text.Json;

namespace Etter.Benchmarks.Reporting;

/// <summary>
/// Another implementation's figures for the same workflow on the same servers (e.g. the Wolverine peer), read from the
/// JSON line its own benchmark printed, so the report can state Etter's throughput as a ratio of it. Only meaningful
/// when both ran back to back on one machine: the report says when the peer ran, as its file was last written.
/// </summary>
public sealed record PeerResult(string Name, double WorkflowsPerSecond, double? P99Ms, int? Workflows, int? Inflight, DateTimeOffset WrittenAt)
{
    /// <summary>The last line of <paramref name="path"/> that is a JSON object with <c>wf_per_s</c>.</summary>
    public static PeerResult Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--peer-result: no file at {path}");
        }

        foreach (var line in File.ReadAllLines(path).Reverse())
        {
            if (!line.TrimStart().StartsWith('{'))
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.TryGetProperty("wf_per_s", out var rate) && rate.TryGetDouble(out var wfs) && wfs > 0)
                {
                    return new PeerResult(
                        root.TryGetProperty("peer", out var peer) ? peer.GetString() ?? "peer" : "peer",
                        wfs,
                        root.TryGetProperty("p99_ms", out var p99) && p99.TryGetDouble(out var p) ? p : null,
                        root.TryGetProperty("n", out var n) && n.TryGetInt32(out var count) ? count : null,
                        root.TryGetProperty("inflight", out var k) && k.TryGetInt32(out var inflight) ? inflight : null,
                        File.GetLastWriteTimeUtc(path));
                }
            }
            catch (JsonException)
            {
                // Not the result line; keep looking.
            }
        }

        throw new ArgumentException($"--peer-result: {path} has no JSON line with a positive wf_per_s (the peer's benchmark prints one on stdout)");
    }
}
