using Etter.Messaging.Outbox;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Etter.Messaging.Bus;

/// <summary>
/// Logs a warning when one of this service's receive endpoints has been out of service for <see cref="ReportAfter"/>
/// (and again every <see cref="ReportEvery"/> while it stays out), and when it consumes again after that.
/// </summary>
/// <remarks>
/// MassTransit reconnects a receive endpoint by itself and logs each failed connection attempt, but not which
/// endpoints are out of service, for how long, or when each is back; once the attempts stop, a log cannot tell an
/// endpoint that recovered from one that never did while its queue fills. This says which endpoint, for how long, and
/// what MassTransit makes of it; an outage shorter than <see cref="ReportAfter"/> stays out of the log. An endpoint
/// MassTransit believes healthy while the broker shows its queue without a consumer is not seen here: compare with the
/// queue's consumers in the management UI.
/// </remarks>
public sealed class ReceiveEndpointHealthLog(IBusControl bus, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ReceiveEndpointHealthLog> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan ReportAfter = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(60);

    readonly EndpointOutages _outages = new(ReportAfter, ReportEvery);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HostStart.WaitAsync(lifetime, stoppingToken))
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                Report(time.GetUtcNow());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A log line is never worth stopping the service for (a failed hosted service stops the host).
                logger.LogDebug(ex, "Could not read the receive endpoints' health");
            }
        }
    }

    void Report(DateTimeOffset now)
    {
        var health = bus.CheckHealth();
        var endpoints = health.Endpoints.Select(e => (QueueName(e.Key), e.Value.Status, e.Value.Description ?? e.Value.Exception?.Message));
        foreach (var report in _outages.Observe(now, endpoints))
        {
            if (report.Ended)
            {
                logger.LogInformation("Receive endpoint {Endpoint} consumes again after {Seconds:0} s out of service", report.Endpoint, report.Down.TotalSeconds);
            }
            else
            {
                logger.LogWarning("Receive endpoint {Endpoint} has been out of service for {Seconds:0} s ({Detail})",
                    report.Endpoint, report.Down.TotalSeconds, report.Detail);
            }
        }
    }

    /// <summary>The queue's name out of an endpoint's address (rabbitmq://host/vhost/queue), which is what the broker's tools show.</summary>
    public static string QueueName(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var address) && address.Segments.Length > 1
            ? address.Segments[^1].TrimEnd('/')
            : endpoint;
}
