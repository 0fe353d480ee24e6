using MassTransit;

namespace Etter.Messaging.Bus;

/// <summary>
/// Tells, from successive health readings of the bus's receive endpoints, which endpoints have been out of service long
/// enough to say so, and which came back after that. Pure bookkeeping: <see cref="ReceiveEndpointHealthLog"/> reads the
/// bus and writes the log.
/// </summary>
public sealed class EndpointOutages(TimeSpan reportAfter, TimeSpan reportEvery)
{
    readonly Dictionary<string, Outage> _open = new(StringComparer.Ordinal);

    /// <summary>One reading: every endpoint of the bus with its health at <paramref name="now"/>.</summary>
    public IReadOnlyList<EndpointOutageReport> Observe(DateTimeOffset now, IEnumerable<(string Endpoint, BusHealthStatus Status, string? Description)> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var reports = new List<EndpointOutageReport>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (endpoint, status, description) in endpoints)
        {
            seen.Add(endpoint);
            if (status == BusHealthStatus.Healthy)
            {
                End(endpoint, now, reports);
                continue;
            }

            if (!_open.TryGetValue(endpoint, out var outage))
            {
                _open[endpoint] = outage = new Outage(now);
            }

            var down = now - outage.Since;
            if (down >= reportAfter && (outage.ReportedAt is not { } last || now - last >= reportEvery))
            {
                outage.ReportedAt = now;
                reports.Add(new EndpointOutageReport(endpoint, down, Ended: false, $"{status}: {description ?? "no description"}"));
            }
        }

        // An endpoint no longer listed (stopped on purpose, or gone with the bus) has no outage left to report.
        foreach (var gone in _open.Keys.Where(e => !seen.Contains(e)).ToList())
        {
            _open.Remove(gone);
        }

        return reports;
    }

    void End(string endpoint, DateTimeOffset now, List<EndpointOutageReport> reports)
    {
        if (_open.Remove(endpoint, out var outage) && outage.ReportedAt is not null)
        {
            reports.Add(new EndpointOutageReport(endpoint, now - outage.Since, Ended: true, "healthy"));
        }
    }

    sealed class Outage(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public DateTimeOffset? ReportedAt { get; set; }
    }
}

/// <summary>What to say about one endpoint: still out after <paramref name="Down"/>, or back after being out that long.</summary>
public sealed record EndpointOutageReport(string Endpoint, TimeSpan Down, bool Ended, string Detail);
