using Etter.IntegrationTests.Infrastructure;
using Etter.Orchestrator.Persistence;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// The services' PostgreSQL connections keep the statements they repeat prepared on the server, so PostgreSQL parses and
/// plans each of them once per connection rather than on every run.
/// </summary>
public sealed class PreparedStatementTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task StatementRepeatedOnAServiceConnection_IsPreparedOnTheServer()
    {
        var prepared = await PreparedAfterRepeatsAsync(_environment.PostgresConnectionString);

        Assert.NotEmpty(prepared);
        Assert.Contains(prepared, statement => statement.Contains("onboarding_state", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OperatorTurnsAutoPrepareOff_NothingIsPrepared()
    {
        var prepared = await PreparedAfterRepeatsAsync(_environment.PostgresConnectionString + ";Max Auto Prepare=0");

        Assert.Empty(prepared);
    }

    /// <summary>
    /// Registers the orchestrator's database as its service does, runs one of its reads ten times on one connection, and
    /// returns the statements that connection holds prepared.
    /// </summary>
    async Task<List<string>> PreparedAfterRepeatsAsync(string connectionString)
    {
        await using var provider = ScratchDatabase.OrchestratorDatabaseServices(connectionString);
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        await db.Database.MigrateAsync();

        await db.Database.OpenConnectionAsync();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var id = Guid.NewGuid();
                _ = await db.Workflows.AsNoTracking().FirstOrDefaultAsync(x => x.CorrelationId == id);
            }

            return await db.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
