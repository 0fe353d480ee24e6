using Etter.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.ReadModel;

public static class ReadModelRegistrationExtensions
{
    /// <summary>The orchestrator's SQLite file in embedded mode; the same name the orchestrator writes.</summary>
    public const string SqliteFileName = "orchestrator.db";

    /// <summary>Read access to workflows: the orchestrator's database on the mode's provider, never migrated from here.</summary>
    public static IServiceCollection AddWorkflowReadModel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEtterDatabase<WorkflowReadDbContext, SqliteWorkflowReadDbContext, PostgresWorkflowReadDbContext>(configuration, SqliteFileName, migrationsHistoryTable: null);
        services.AddScoped<WorkflowReader>();
        return services;
    }
}
