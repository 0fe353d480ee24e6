using Etter.IntegrationTests.Infrastructure;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// Delivered outbox rows are deleted by their sequence. Deleted rows stay in the table as dead versions until vacuum
/// comes, so under load the table grows to thousands of pages holding a few live rows; the delete must find its rows
/// through the key however small the table was when the service first ran the statement.
/// </summary>
public sealed class OutboxDeleteTests : IAsyncLifetime
{
    const string Table = "outbox_message";

    readonly StartedLifetime _lifetime = new();
    ScratchEnvironment _environment = null!;
    ServiceProvider _services = null!;
    OutboxDispatcher<OrchestratorDbContext> _dispatcher = null!;

    public async Task InitializeAsync()
    {
        _environment = await ScratchEnvironment.CreateAsync();
        // One connection, so every delete runs on the connection that has the statement prepared, as a busy service's
        // connections all do.
        _services = ScratchDatabase.OrchestratorDatabaseServices(new NpgsqlConnectionStringBuilder(_environment.PostgresConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            await db.Database.MigrateAsync();

            // Vacuum would clear the dead rows (and refresh the statistics) at a moment of its own choosing.
            await db.Database.ExecuteSqlRawAsync($"ALTER TABLE {Table} SET (autovacuum_enabled = false)");
        }

        _dispatcher = new OutboxDispatcher<OrchestratorDbContext>(
            _services.GetRequiredService<IServiceScopeFactory>(),
            new OutboxDelivery(null!, [new DiscardingDestination()]),
            Options.Create(new OutboxOptions { DeleteInterval = TimeSpan.FromMilliseconds(5) }),
            _lifetime,
            NullLogger<OutboxDispatcher<OrchestratorDbContext>>.Instance);
        await _dispatcher.StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task OutboxFullOfDeadRows_DeliveredRowsAreDeletedWithoutReadingTheWholeTable()
    {
        // While the table holds a row or two, the service delivers and deletes one unit at a time, often enough for
        // the connection to keep the statement prepared.
        for (var unit = 0; unit < 12; unit++)
        {
            await CommitAndDeliverAsync(rows: 1);
        }

        // A busy hour's worth of rows inserted and deleted, not yet vacuumed.
        await using var observer = await _environment.OpenDatabaseAsync();
        await ExecuteAsync(observer, $"INSERT INTO {Table} (body, created_at, destination, message_type, workflow_id) "
            + $"SELECT repeat('x', 1000), now(), 'discard:bulk', 'Bulk', gen_random_uuid() FROM generate_series(1, 5000)");
        await ExecuteAsync(observer, $"DELETE FROM {Table} WHERE destination = 'discard:bulk'");

        // The small table's deletes were rightly sequential scans; the pooled connection may not have reported them yet.
        await FlushStatisticsOfThePooledConnectionAsync();
        var before = await ScansAsync(observer);

        for (var unit = 0; unit < 5; unit++)
        {
            await CommitAndDeliverAsync(rows: 20);
        }

        await FlushStatisticsOfThePooledConnectionAsync();
        var after = await ScansAsync(observer);
        Assert.True(after.Index > before.Index, $"the deletes used no index: {before} -> {after}");
        Assert.Equal(before.Sequential, after.Sequential);
    }

    /// <summary>Commits <paramref name="rows"/> outbox rows in one unit and waits until they are delivered and deleted.</summary>
    async Task CommitAndDeliverAsync(int rows)
    {
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            var outbox = new EfOutbox<OrchestratorDbContext>(db, TimeProvider.System, new OutboxHandoff<OrchestratorDbContext>(_dispatcher));
            for (var i = 0; i < rows; i++)
            {
                outbox.Send(Guid.NewGuid(), new Uri("discard:step"), new Parcel(new string('p', 1000)));
            }

            Assert.Equal(rows, await db.SaveChangesAsync());
        }

        Assert.True(await Eventually.TrueAsync(() => _dispatcher.OwnedRows().Length == 0, TimeSpan.FromSeconds(30)), "delivered rows were not deleted");
    }

    /// <summary>
    /// A backend reports its table statistics when it next goes idle, at most about once a second; the pooled
    /// connection is asked to report them now, and has when the call returns.
    /// </summary>
    async Task FlushStatisticsOfThePooledConnectionAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Database.ExecuteSqlRawAsync("SELECT pg_stat_force_next_flush()");
    }

    /// <summary>The table's sequential and index scans so far, this connection's own included.</summary>
    static async Task<(long Sequential, long Index)> ScansAsync(NpgsqlConnection connection)
    {
        await ExecuteAsync(connection, "SELECT pg_stat_force_next_flush()");
        await using var command = new NpgsqlCommand($"SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = '{Table}'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await _dispatcher.StopAsync(CancellationToken.None);
        _dispatcher.Dispose();
        await _services.DisposeAsync();
        _lifetime.Dispose();
        await _environment.DisposeAsync();
    }

    sealed record Parcel(string Text);

    sealed class DiscardingDestination : IOutboxDestination
    {
        public string Scheme => "discard";

        public Task DeliverAsync(Guid workflowId, object message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
