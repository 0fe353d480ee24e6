using Etter.Persistence;
using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Etter.Shared.Tests.Persistence;

/// <summary>
/// The in-process write queue of embedded mode's SQLite files: one transaction per file at a time, and a
/// file is never left held, whichever way a transaction ends.
/// </summary>
public sealed class SqliteWriteGateTests : IDisposable
{
    // Longer than any healthy hand-over, far shorter than the gate's own 30 s give-up.
    static readonly TimeSpan HandOver = TimeSpan.FromSeconds(10);
    readonly TempDirectory _directory = new();

    [Fact]
    public async Task SecondWriterOfAFile_StartsOnlyAfterTheFirstCommits()
    {
        await using var first = await OpenAsync("one.db");
        await using var second = Open("one.db");
        await using var held = await first.Database.BeginTransactionAsync();
        first.Notes.Add(new Note { Text = "first" });
        await first.SaveChangesAsync();

        var waiting = Task.Run(() => second.Database.BeginTransactionAsync());
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        await held.CommitAsync();
        await using var next = await waiting.WaitAsync(HandOver);
        second.Notes.Add(new Note { Text = "second" });
        await second.SaveChangesAsync();
        await next.CommitAsync();
        Assert.Equal(2, await second.Notes.CountAsync());
    }

    [Fact]
    public async Task WritersOfDifferentFiles_DoNotWaitForEachOther()
    {
        await using var one = await OpenAsync("one.db");
        await using var other = await OpenAsync("other.db");
        await using var held = await one.Database.BeginTransactionAsync();

        await using var independent = await other.Database.BeginTransactionAsync().WaitAsync(HandOver);
        other.Notes.Add(new Note { Text = "not blocked" });
        await other.SaveChangesAsync();
        await independent.CommitAsync();
    }

    [Fact]
    public async Task RolledBackTransaction_ReleasesTheFile()
    {
        await using var first = await OpenAsync("one.db");
        await using (var abandoned = await first.Database.BeginTransactionAsync())
        {
            await abandoned.RollbackAsync();
        }

        await using var second = Open("one.db");
        await using var next = await second.Database.BeginTransactionAsync().WaitAsync(HandOver);
        await next.CommitAsync();
    }

    [Fact]
    public async Task TransactionDisposedWithoutCommit_ReleasesTheFileWhenItsConnectionCloses()
    {
        await using (var first = await OpenAsync("one.db"))
        {
            // Disposed unfinished, as after an exception: no commit or rollback event reaches the gate.
            var forgotten = await first.Database.BeginTransactionAsync();
            await forgotten.DisposeAsync();
        }

        await using var second = Open("one.db");
        await WriteOneNoteWithoutWaitingAsync(second);
    }

    [Fact]
    public async Task PooledContextEndingItsLeaseAfterADisposedTransaction_ReleasesTheFile()
    {
        await using (var setup = await OpenAsync("one.db"))
        {
        }

        var pool = new PooledDbContextFactory<NotesContext>(Options("one.db"));
        var first = await pool.CreateDbContextAsync();
        await using var second = await pool.CreateDbContextAsync();

        // Opened by hand, as EF Core's migrator leaves it: then neither the transaction's end nor the lease closes it.
        await first.Database.OpenConnectionAsync();
        var forgotten = await first.Database.BeginTransactionAsync();
        await forgotten.DisposeAsync();

        // Back to the pool: nothing closes a pooled context's connection, so only the end of the lease lets go.
        await first.DisposeAsync();

        await WriteOneNoteWithoutWaitingAsync(second);
    }

    [Fact]
    public async Task SameContextStartingAgainAfterADisposedTransaction_DoesNotWaitForItself()
    {
        await using (var setup = await OpenAsync("one.db"))
        {
        }

        // One pooled context, as a retried message uses it: its first attempt ended by a dispose, without an event.
        var pool = new PooledDbContextFactory<NotesContext>(Options("one.db"));
        await using var db = await pool.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var firstAttempt = await db.Database.BeginTransactionAsync();
        await firstAttempt.DisposeAsync();

        await WriteOneNoteWithoutWaitingAsync(db);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Writes one note to an empty file, requiring that the file is free within the hand-over time.</summary>
    static async Task WriteOneNoteWithoutWaitingAsync(NotesContext db)
    {
        await using var transaction = await db.Database.BeginTransactionAsync().WaitAsync(HandOver);
        db.Notes.Add(new Note { Text = "written" });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Assert.Equal(1, await db.Notes.CountAsync());
    }

    NotesContext Open(string file) => new(Options(file));

    DbContextOptions<NotesContext> Options(string file) => new DbContextOptionsBuilder<NotesContext>()
        .UseSqlite($"Data Source={Path.Combine(_directory.Path, file)}")
        .AddInterceptors(SqliteWriteGate.Instance, SqliteConnectionSetup.Instance)
        .Options;

    async Task<NotesContext> OpenAsync(string file)
    {
        var db = Open(file);
        await db.Database.EnsureCreatedAsync();
        return db;
    }

    public sealed class Note
    {
        public int Id { get; set; }

        public string Text { get; set; } = "";
    }

    public sealed class NotesContext(DbContextOptions<NotesContext> options) : EtterDbContext(options)
    {
        public DbSet<Note> Notes => Set<Note>();
    }
}
