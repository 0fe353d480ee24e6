using MassTransit;

namespace Etter.Api.Health;

/// <summary>
/// How healthy the API's bus is, from what MassTransit reports. MassTransit calls the bus unhealthy only when
/// every receive endpoint is unhappy and at least one has faulted; an endpoint that stopped counts as degraded.
/// When the broker goes away, the API's only endpoint (where replies arrive) is told first that it stopped and only
/// later that it faulted, and in between the bus was reported degraded (HTTP 200) while no push could be queued.
/// With no endpoint ready, no reply can reach the API, so it is unhealthy.
/// </summary>
public static class BusHealthRule
{
    public static BusHealthStatus Judge(BusHealthStatus bus, IReadOnlyCollection<BusHealthStatus> endpoints) =>
        bus == BusHealthStatus.Degraded && endpoints.Count > 0 && endpoints.All(status => status != BusHealthStatus.Healthy)
            ? BusHealthStatus.Unhealthy
            : bus;
}
