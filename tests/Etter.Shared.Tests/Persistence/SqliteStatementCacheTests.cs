using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using static Etter.Shared.Tests.Persistence.SqliteWriteGateTests;

namespace Etter.Shared.Tests.Persistence;

/// <summary>
/// Embedded contexts keep their SQLite connection open from one lease to the next, with their statements prepared; what
/// they read must still be what other connections have committed since.
/// </summary>
public sealed class SqliteStatementCacheTests : IDisposable
{
    readonly TempDirectory _directory = new();

    [Fact]
    public async Task PooledContextsNextLease_UsesTheSameOpenConnectionAndSeesOthersCommits()
    {
        var pool = await PoolWithOneNoteAsync();
        System.Data.Common.DbConnection kept;
        await using (var first = await pool.CreateDbContextAsync())
        {
            Assert.Equal(1, await first.Notes.CountAsync());
            kept = first.Database.GetDbConnection();
            Assert.IsType<KeptOpenSqliteConnection>(kept);
        }

        await AddNoteElsewhereAsync("written by another connection");

        await using var second = await pool.CreateDbContextAsync();
        Assert.Same(kept, second.Database.GetDbConnection());
        Assert.Equal(System.Data.ConnectionState.Open, kept.State);
        Assert.Equal(2, await second.Notes.CountAsync());
    }

    [Fact]
    public async Task ResultLeftUnreadAtTheEndOfALease_DoesNotKeepAnOldSnapshotForTheNext()
    {
        var pool = await PoolWithOneNoteAsync();
        await AddNoteElsewhereAsync("second");
        await using (var first = await pool.CreateDbContextAsync())
        {
            // Read one row of two and walk away: the statement is left mid-result, holding the file's snapshot of now.
            var unfinished = first.Notes.AsAsyncEnumerable().GetAsyncEnumerator();
            Assert.True(await unfinished.MoveNextAsync());
        }

        await AddNoteElsewhereAsync("third");

        await using var second = await pool.CreateDbContextAsync();
        Assert.Equal(3, await second.Notes.CountAsync());
    }

    [Fact]
    public async Task SameQueryNestedInsideItsOwnResult_RunsAndReadsBoth()
    {
        var pool = await PoolWithOneNoteAsync();
        await using var db = await pool.CreateDbContextAsync();
        var outer = 0;
        await foreach (var note in db.Notes.AsNoTracking().AsAsyncEnumerable())
        {
            outer++;

            // The same SQL while the outer result is open: the kept statement is busy, so this one runs as EF Core built it.
            Assert.Single(await db.Notes.AsNoTracking().ToListAsync());
        }

        Assert.Equal(1, outer);
    }

    public void Dispose() => _directory.Dispose();

    async Task<PooledDbContextFactory<NotesContext>> PoolWithOneNoteAsync()
    {
        await using (var setup = new NotesContext(Options()))
        {
            await setup.Database.EnsureCreatedAsync();
            setup.Notes.Add(new Note { Text = "first" });
            await setup.SaveChangesAsync();
        }

        return new PooledDbContextFactory<NotesContext>(Options());
    }

    async Task AddNoteElsewhereAsync(string text)
    {
        await using var other = new NotesContext(Options());
        other.Notes.Add(new Note { Text = text });
        await other.SaveChangesAsync();
    }

    DbContextOptions<NotesContext> Options() => new DbContextOptionsBuilder<NotesContext>()
        .UseSqlite($"Data Source={Path.Combine(_directory.Path, "notes.db")}")
        .AddInterceptors(SqliteInterceptors.All)
        .Options;
}
