using Etter.Persistence.Sqlite;
using Etter.ServiceDefaults.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Persistence;

public static class DbContextRegistrationExtensions
{
    /// <summary>
    /// Contexts are pooled: a consumer's scope rents one and returns it reset. Building a context's internal services for
    /// every message (every consumer scope) was the largest single cost EF Core added to the hot path in a profile of
    /// the embedded benchmark. The contexts hold no state of their own, which pooling requires.
    /// </summary>
    const int PoolSize = 256;

    /// <summary>
    /// Registers a database on the provider the mode calls for: SQLite under the data directory when
    /// embedded, PostgreSQL when distributed. Each provider has its own context subclass so that each
    /// carries its own migrations; consumers depend on <typeparamref name="TContext"/> only. Each owner
    /// keeps its own migrations history table, so several owners can share one PostgreSQL database; readers
    /// of another owner's tables pass none, as they never migrate.
    /// </summary>
    public static IServiceCollection AddEtterDatabase<TContext, TSqliteContext, TPostgresContext>(
        this IServiceCollection services,
        IConfiguration configuration,
        string sqliteFileName,
        string? migrationsHistoryTable)
        where TContext : DbContext
        where TSqliteContext : TContext
        where TPostgresContext : TContext
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var etter = configuration.GetEtterOptions();
        if (etter.Mode == EtterMode.Embedded)
        {
            var connectionString = SqliteConnectionString(etter, sqliteFileName);
            services.AddDbContextPool<TSqliteContext>(o => o
                .UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(migrationsHistoryTable ?? HistoryRepository.DefaultTableName))
                .AddInterceptors(SqliteInterceptors.All),
                PoolSize);
            services.AddScoped<TContext>(sp => sp.GetRequiredService<TSqliteContext>());
        }
        else
        {
            var postgres = configuration.GetRequired<PostgresOptions>(PostgresOptions.Section);
            services.AddDbContextPool<TPostgresContext>(o => o.UseNpgsql(postgres.EffectiveConnectionString(), npgsql => npgsql
                .MigrationsHistoryTable(migrationsHistoryTable ?? HistoryRepository.DefaultTableName)
                .EnableRetryOnFailure(3)),
                PoolSize);
            services.AddScoped<TContext>(sp => sp.GetRequiredService<TPostgresContext>());
        }

        return services;
    }

    /// <summary>Applies pending migrations of <typeparamref name="TContext"/> when the host starts, before the bus.</summary>
    public static IServiceCollection AddDatabaseMigration<TContext>(this IServiceCollection services)
        where TContext : DbContext =>
        services.AddHostedService<DatabaseMigrationHostedService<TContext>>();

    public static string SqliteConnectionString(EtterOptions etter, string fileName)
    {
        ArgumentNullException.ThrowIfNull(etter);
        var path = Path.Combine(etter.ResolveDataDirectory(), fileName);
        return $"Data Source={path};Default Timeout=30";
    }
}
