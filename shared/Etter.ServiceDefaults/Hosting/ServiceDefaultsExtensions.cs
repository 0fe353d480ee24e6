using System.Text.Json;
using Etter.ServiceDefaults.Configuration;
using Etter.ServiceDefaults.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Etter.ServiceDefaults.Hosting;

/// <summary>What every Etter service host shares: validated top-level options, telemetry, health checks, /health and /metrics.</summary>
public static class ServiceDefaultsExtensions
{
    public static IHostApplicationBuilder AddEtterServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEtterTelemetry(serviceName);
        builder.Services.AddValidatedOptions<EtterOptions>(EtterOptions.Section);

        // EF Core logs every failed SaveChanges as an error, but a lost optimistic-concurrency race is
        // routine here: the message is retried against the winner's row. Real failures still surface,
        // through MassTransit's fault logging once retries are exhausted.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Update", LogLevel.Critical);

        // Every SQL command at Information drowns the logs of the sweepers' polling; failures are still logged.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        // Request logs at Information cost more than the requests on the hot path; failures are still logged.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>/health: 200 when every check is healthy or degraded, 503 when any is unhealthy, with a JSON body per component.</summary>
    public static WebApplication MapEtterHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthJson });
        app.MapEtterMetrics();
        return app;
    }

    static Task WriteHealthJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            components = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
