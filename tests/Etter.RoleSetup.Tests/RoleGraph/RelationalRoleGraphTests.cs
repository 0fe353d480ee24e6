using Etter.RoleSetup.Persistence;
using Etter.RoleSetup.RoleGraph;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.Tests.RoleGraph;

/// <summary>The relational role graph's upserts on SQLite, read back through EF Core as the rest of the service reads them.</summary>
public sealed class RelationalRoleGraphTests : IAsyncLifetime
{
    static readonly DateTimeOffset Created = new(2026, 12, 1, 9, 30, 15, 123, TimeSpan.Zero);
    static readonly DateTimeOffset Updated = Created.AddDays(2);

    readonly TempDirectory _directory = new();
    SqliteRoleGraphDbContext _db = null!;

    public async Task InitializeAsync()
    {
        _db = new SqliteRoleGraphDbContext(new DbContextOptionsBuilder<SqliteRoleGraphDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_directory.Path, "role-graph.db")}").Options);
        await _db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task RoleSetUpAgainWithoutADraupMatch_KeepsTheEarlierMatchAndWhoCreatedIt()
    {
        var graph = new RelationalRoleGraph(_db);
        await graph.UpsertCompanyRoleAsync(new CompanyRoleRecord("role-1", "Liberty Mutual", "Claims Adjuster", "D-1", "Claims Adjuster (Draup)", "push", "alice", "trace-1", Created, Created), CancellationToken.None);
        await graph.UpsertCompanyRoleAsync(new CompanyRoleRecord("role-1", "Liberty Mutual", "Senior Claims Adjuster", null, null, "batch", "bob", null, Updated, Updated), CancellationToken.None);

        var stored = await graph.FindCompanyRoleAsync("role-1", CancellationToken.None);
        Assert.Equal(new CompanyRoleRecord("role-1", "Liberty Mutual", "Senior Claims Adjuster", "D-1", "Claims Adjuster (Draup)", "batch", "alice", "trace-1", Created, Updated), stored);
        Assert.Equal(1, await _db.CompanyRoles.CountAsync());
    }

    [Fact]
    public async Task JobDescriptionSetTwice_HoldsTheSecondTextAndTheFirstCreationTime()
    {
        var graph = new RelationalRoleGraph(_db);
        await graph.UpsertCompanyRoleAsync(new CompanyRoleRecord("role-2", "Acme", "Actuary", null, null, "push", "alice", null, Created, Created), CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(new JobDescriptionRecord("role-2", "Actuary", "First text", "typed", Created, Created), CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(new JobDescriptionRecord("role-2", "Actuary II", "Second text", "document", Updated, Updated), CancellationToken.None);

        Assert.Equal(
            new JobDescriptionRecord("role-2", "Actuary II", "Second text", "document", Created, Updated),
            await graph.FindJobDescriptionAsync("role-2", CancellationToken.None));
    }
}
