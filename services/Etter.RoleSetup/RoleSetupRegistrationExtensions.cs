using Etter.Messaging.Outbox;
using Etter.Persistence;
using Etter.RoleSetup.Catalog;
using Etter.RoleSetup.Consumers;
using Etter.RoleSetup.Documents;
using Etter.RoleSetup.Persistence;
using Etter.RoleSetup.RoleGraph;
using Etter.RoleSetup.RoleGraph.Neo4j;
using Etter.RoleSetup.Taxonomy;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.RoleSetup;

public static class RoleSetupRegistrationExtensions
{
    public const string SqliteFileName = "role-graph.db";

    /// <summary>RoleSetup's services: the relational role graph with its inbox and outbox (migrated at start), taxonomy and JD selection.</summary>
    public static IServiceCollection AddRoleSetup(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddTaxonomy(configuration);
        services.AddEtterDatabase<RoleGraphDbContext, SqliteRoleGraphDbContext, PostgresRoleGraphDbContext>(configuration, SqliteFileName, "__ef_migrations_role_graph");
        services.AddDatabaseMigration<RoleGraphDbContext>();
        services.AddTransactionalOutbox<RoleGraphDbContext>();

        // The relational database stays registered either way: it also holds RoleSetup's inbox and outbox.
        if (Neo4jRoleGraphRegistration.IsSelected(configuration))
        {
            services.AddNeo4jRoleGraph(configuration);
        }
        else
        {
            services.AddScoped<IRoleGraph, RelationalRoleGraph>();
        }

        services.AddRoleSetupDocuments(configuration);
        services.AddScoped<RoleSetupInbox>();
        return services;
    }

    public static IBusRegistrationConfigurator AddRoleSetupComponents(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<SetUpRoleConsumer, SetUpRoleConsumerDefinition>();
        bus.AddConsumer<CatalogQueryConsumer, CatalogQueryConsumerDefinition>();
        return bus;
    }
}
