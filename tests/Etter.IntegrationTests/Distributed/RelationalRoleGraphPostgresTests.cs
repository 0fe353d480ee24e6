using Etter.IntegrationTests.Infrastructure;
using Etter.RoleSetup.Persistence;
using Etter.RoleSetup.RoleGraph;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// The role graph's one-statement upserts on PostgreSQL, whose ON CONFLICT clause differs in detail from SQLite's, and
/// role_setup's unit of work around them.
/// </summary>
public sealed class RelationalRoleGraphPostgresTests : IAsyncLifetime
{
    static readonly DateTimeOffset Created = new(2026, 12, 1, 9, 30, 15, 123, TimeSpan.Zero);
    static readonly DateTimeOffset Updated = Created.AddDays(2);

    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await ScratchEnvironment.CreateAsync();
        await using var db = Open();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task RoleAndJobDescriptionSetUpTwice_HoldTheLatestTextAndKeepWhatTheSecondRunLacks()
    {
        await using var db = Open();
        var graph = new RelationalRoleGraph(db);
        await graph.UpsertCompanyRoleAsync(new CompanyRoleRecord("role-1", "Liberty Mutual", "Claims Adjuster", "D-1", "Claims Adjuster (Draup)", "push", "alice", "trace-1", Created, Created), CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(new JobDescriptionRecord("role-1", "Claims Adjuster", "First text", "typed", Created, Created), CancellationToken.None);
        await graph.UpsertCompanyRoleAsync(new CompanyRoleRecord("role-1", "Liberty Mutual", "Senior Claims Adjuster", null, null, "batch", "bob", null, Updated, Updated), CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(new JobDescriptionRecord("role-1", "Senior Claims Adjuster", "Second text", "document", Updated, Updated), CancellationToken.None);

        Assert.Equal(
            new CompanyRoleRecord("role-1", "Liberty Mutual", "Senior Claims Adjuster", "D-1", "Claims Adjuster (Draup)", "batch", "alice", "trace-1", Created, Updated),
            await graph.FindCompanyRoleAsync("role-1", CancellationToken.None));
        Assert.Equal(
            new JobDescriptionRecord("role-1", "Senior Claims Adjuster", "Second text", "document", Created, Updated),
            await graph.FindJobDescriptionAsync("role-1", CancellationToken.None));
        Assert.Equal(1, await db.CompanyRoles.CountAsync());
    }

    [Fact]
    public async Task RoleSetupUnitOfWorkHeldToCommit_ReachesPostgresInOneRoundTrip()
    {
        var id = Guid.NewGuid();
        using var roundTrips = new NpgsqlRoundTrips();
        await using (var db = Open())
        {
            var graph = new RelationalRoleGraph(db);
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.True(db.HoldWrites(toCommit: true));
            db.AddUntracked(Claim(id, "role-9"));
            await db.WriteChangesAsync(acceptChanges: false, CancellationToken.None);
            await graph.UpsertCompanyRoleAsync(Role("role-9", "Claims Adjuster"), CancellationToken.None);
            await graph.UpsertJobDescriptionAsync(new JobDescriptionRecord("role-9", "Claims Adjuster", "Text", "typed", Created, Created), CancellationToken.None);
            Assert.Empty(roundTrips.Texts);
            Assert.True(await db.SendHeldWritesAndCommitAsync(CancellationToken.None));
            Assert.Single(roundTrips.Texts);
        }

        await using var check = Open();
        Assert.Equal(id, (await check.ProcessedCommands.AsNoTracking().SingleAsync(x => x.WorkflowId == id)).WorkflowId);
        Assert.Equal("Claims Adjuster", (await check.CompanyRoles.AsNoTracking().SingleAsync(x => x.Id == "role-9")).RoleName);
        Assert.Equal("Text", (await check.JobDescriptions.AsNoTracking().SingleAsync(x => x.CompanyRoleId == "role-9")).Content);
    }

    [Fact]
    public async Task DuplicateClaimInABatch_WaitsForTheFirstThenFailsWithNothingOfItsWorkWritten()
    {
        var id = Guid.NewGuid();
        await using var first = Open();
        await using var firstTransaction = await first.Database.BeginTransactionAsync();
        first.AddUntracked(Claim(id, "first"));
        await first.WriteChangesAsync(acceptChanges: false, CancellationToken.None);

        // The duplicate's batch: its claim first, then its work. The first delivery's claim is uncommitted, so the
        // duplicate's insert waits on it.
        await using var second = Open();
        await using var secondTransaction = await second.Database.BeginTransactionAsync();
        Assert.True(second.HoldWrites(toCommit: true));
        second.AddUntracked(Claim(id, "second"));
        await second.WriteChangesAsync(acceptChanges: false, CancellationToken.None);
        await new RelationalRoleGraph(second).UpsertCompanyRoleAsync(Role("role-second", "Second"), CancellationToken.None);
        var duplicate = second.SendHeldWritesAndCommitAsync(CancellationToken.None);
        await WaitUntilABackendWaitsOnALockAsync();
        await firstTransaction.CommitAsync();

        var lost = await Assert.ThrowsAsync<DbUpdateException>(() => duplicate);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(lost.InnerException).SqlState);
        await secondTransaction.RollbackAsync();
        await using var check = Open();
        Assert.Contains("\"first\"", (await check.ProcessedCommands.AsNoTracking().SingleAsync(x => x.WorkflowId == id)).ResultJson, StringComparison.Ordinal);
        Assert.False(await check.CompanyRoles.AnyAsync(x => x.Id == "role-second"));
    }

    async Task WaitUntilABackendWaitsOnALockAsync()
    {
        await using var watcher = Open();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await watcher.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The duplicate's batch never waited on the first claim's lock.");
            await Task.Delay(20);
        }
    }

    static ProcessedCommandEntity Claim(Guid workflowId, string roleId) => new()
    {
        WorkflowId = workflowId,
        Attempt = 1,
        ResultJson = $"{{\"roleId\":\"{roleId}\"}}",
        ProcessedAt = Created,
    };

    static CompanyRoleRecord Role(string id, string name) => new(id, "Liberty Mutual", name, null, null, "push", "alice", null, Created, Created);

    PostgresRoleGraphDbContext Open() =>
        new(new DbContextOptionsBuilder<PostgresRoleGraphDbContext>().UseNpgsql(_environment.PostgresConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_role_graph")).Options);
}
