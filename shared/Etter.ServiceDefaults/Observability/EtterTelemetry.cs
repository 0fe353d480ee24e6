using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Etter.ServiceDefaults.Observability;

/// <summary>Etter's own trace source and meter; MassTransit, ASP.NET Core, HttpClient, Npgsql and Redis add theirs.</summary>
public static class EtterTelemetry
{
    public const string Name = "Etter";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);
}
