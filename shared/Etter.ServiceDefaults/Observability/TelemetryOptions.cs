namespace Etter.ServiceDefaults.Observability;

/// <summary>Telemetry export (<c>Etter:Telemetry</c>). OTLP is off unless an endpoint is set; Prometheus scraping is on.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Etter:Telemetry";

    /// <summary>OTLP collector, e.g. <c>http://127.0.0.1:4317</c>; unset means no OTLP export.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Serve metrics for Prometheus at <c>/metrics</c>.</summary>
    public bool Prometheus { get; set; } = true;
}
