using MassTransit;

namespace Etter.Api.Health;

/// <summary>
/// How healthy the API's bus is, from what MassTransit reports. MassTransit calls the bus unhealthy only when
/// every receive endpoint is unhappy and at least one has faulted; an endpoint that stopped counts as degraded.
/// When the broker goes away, the API's only endpoint (where replies arrive) is told both that it faulted and that
/// it stopped, in either order; stopped last leaves the bus "degraded" for as long as the broker stays away, and a
/// load balancer keeps sending pushes that cannot be queued. With no endpoint ready, no reply can reach the API,
/// so it is unhealthy.
/// </summary>
public static class BusHealthRule
{
    public static BusHealthStatus Judge(BusHealthStatus bus, IReadOnlyCollection<BusHealthStatus> endpoints) =>
        bus == BusHealthStatus.Degraded && endpoints.Count > 0 && endpoints.All(status => status != BusHealthStatus.Healthy)
            ? BusHealthStatus.Unhealthy
            : bus;
}
