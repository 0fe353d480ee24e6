using Etter.RoleSetup.Persistence;
using Etter.RoleSetup.RoleGraph;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Etter.IntegrationTests.Distributed;

/// <summary>The role graph's one-statement upserts on PostgreSQL, whose ON CONFLICT clause differs in detail from SQLite's.</summary>
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

    PostgresRoleGraphDbContext Open() =>
        new(new DbContextOptionsBuilder<PostgresRoleGraphDbContext>().UseNpgsql(_environment.PostgresConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_role_graph")).Options);
}
