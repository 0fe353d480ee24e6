using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.Persistence;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>Counting queries against a scratch database, and waiting on them instead of sleeping.</summary>
public static class ScratchDatabase
{
    /// <summary>The states a workflow ends in, as a SQL list, named through the state machine.</summary>
    public const string TerminalStates =
        $"('{nameof(OnboardingStateMachine.Ready)}', '{nameof(OnboardingStateMachine.Failed)}', '{nameof(OnboardingStateMachine.Degraded)}', "
        + $"'{nameof(OnboardingStateMachine.ValidationError)}', '{nameof(OnboardingStateMachine.Cancelled)}')";

    /// <summary>The orchestrator's PostgreSQL context on the scratch database, with its service's migrations history table.</summary>
    public static PostgresOrchestratorDbContext OrchestratorDb(this ScratchEnvironment environment) =>
        new(new DbContextOptionsBuilder<PostgresOrchestratorDbContext>()
            .UseNpgsql(environment.PostgresConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_orchestrator")).Options);

    /// <summary>
    /// The orchestrator's database registered as its service registers it (connection settings, pooled contexts), on
    /// <paramref name="connectionString"/>.
    /// </summary>
    public static ServiceProvider OrchestratorDatabaseServices(string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Etter:Mode"] = "Distributed",
            ["Etter:Postgres:ConnectionString"] = connectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddEtterDatabase<OrchestratorDbContext, SqliteOrchestratorDbContext, PostgresOrchestratorDbContext>(configuration, "unused.db", "__ef_migrations_orchestrator");
        return services.BuildServiceProvider();
    }

    public static async Task<long> ScalarAsync(this ScratchEnvironment environment, string sql)
    {
        await using var db = await environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls <paramref name="sql"/> (a count) until it reaches <paramref name="atLeast"/>; returns the last value.</summary>
    public static async Task<long> WaitForCountAsync(this ScratchEnvironment environment, string sql, long atLeast, TimeSpan timeout, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        long last = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await environment.ScalarAsync(sql);
                if (last >= atLeast)
                {
                    return last;
                }
            }
            catch (NpgsqlException)
            {
                // Transient (e.g. the database restarting); the deadline still bounds the wait.
            }

            await Task.Delay(250);
        }

        throw new Xunit.Sdk.XunitException($"`{sql}` reached {last}, not {atLeast}, within {timeout}. {describe?.Invoke()}");
    }
}
