using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>/health component for the Neo4j role graph: unhealthy when Neo4j cannot be reached or refuses our credentials.</summary>
public sealed class Neo4jRoleGraphHealthCheck(Neo4jRoleGraph graph) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ok, detail) = await graph.CheckAsync(cancellationToken);
        return ok ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Unhealthy(detail);
    }
}
