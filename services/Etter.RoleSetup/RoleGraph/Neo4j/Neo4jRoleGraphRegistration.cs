using Etter.ServiceDefaults.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

public static class Neo4jRoleGraphRegistration
{
    /// <summary>The <c>Etter:RoleGraph:Provider</c> value that selects this adapter.</summary>
    public const string ProviderName = "neo4j";

    public const string ProviderKey = "Etter:RoleGraph:Provider";

    /// <summary>True when <c>Etter:RoleGraph:Provider</c> is <c>neo4j</c> (any case); the relational graph stays the default.</summary>
    public static bool IsSelected(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.Equals(configuration[ProviderKey]?.Trim(), ProviderName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Makes <see cref="IRoleGraph"/> the Neo4j role graph: validated <see cref="Neo4jOptions"/> (checked when the
    /// host starts), a typed HttpClient for Neo4j's HTTP API, the once-per-process constraint creation and a
    /// "role-graph-neo4j" health check. Replaces any <see cref="IRoleGraph"/> registered before it.
    /// </summary>
    public static IServiceCollection AddNeo4jRoleGraph(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // AddValidatedOptions binds from the container's IConfiguration; hosts register one, bare containers get this one.
        services.TryAddSingleton(configuration);
        services.AddValidatedOptions<Neo4jOptions>(Neo4jOptions.Section);
        services.AddHttpClient<Neo4jCypherClient>(http =>
        {
            // Neo4jCypherClient enforces Neo4jOptions.Timeout per request; this only bounds a hung connection.
            http.Timeout = TimeSpan.FromMinutes(11);
        });
        services.TryAddSingleton<Neo4jSchema>();
        services.TryAddScoped<Neo4jRoleGraph>();
        services.RemoveAll<IRoleGraph>();
        services.AddScoped<IRoleGraph>(sp => sp.GetRequiredService<Neo4jRoleGraph>());
        services.AddHealthChecks().AddCheck<Neo4jRoleGraphHealthCheck>("role-graph-neo4j");
        return services;
    }
}
