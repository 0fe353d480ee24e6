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
    public Task WritersWaitingForAFile_GetItInTheOrderTheyAsked() => WithoutSynchronizationContext(async () =>
    {
        await using var holder = await OpenAsync("one.db");
        await using var held = await holder.Database.BeginTransactionAsync();
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var writers = new List<Task>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var db = Open("one.db");
            writers.Add(WriteAsync(db, name, order));
            AssertQueued(writers[^1]);
        }

        await held.CommitAsync();
        await Task.WhenAll(writers).WaitAsync(HandOver);
        Assert.Equal(["a", "b", "c"], order);
    });

    [Fact]
    public Task WriterWhoseWorkAfterItsCommitBlocks_DoesNotHoldUpTheNextWriter() => WithoutSynchronizationContext(async () =>
    {
        await using var holder = await OpenAsync("one.db");
        await using var first = Open("one.db");
        await using var second = Open("one.db");
        var secondCommitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var held = await holder.Database.BeginTransactionAsync();

        // Both wait, so both are resumed by the file's own thread. The first blocks after its commit until the second
        // has committed: that can only finish if the first's work after its commit left the file's thread.
        var firstWriter = FirstThenWaitForSecondAsync();
        AssertQueued(firstWriter);
        var secondWriter = SecondAsync();
        AssertQueued(secondWriter);

        await held.CommitAsync();
        Assert.True(await firstWriter.WaitAsync(HandOver * 2), "the second writer never got the file while the first was busy after its commit");
        await secondWriter.WaitAsync(HandOver);

        async Task<bool> FirstThenWaitForSecondAsync()
        {
            await using var transaction = await first.Database.BeginTransactionAsync();
            first.Notes.Add(new Note { Text = "first" });
            await first.SaveChangesAsync();
            await transaction.CommitAsync();
            return secondCommitted.Task.Wait(HandOver);
        }

        async Task SecondAsync()
        {
            await using var transaction = await second.Database.BeginTransactionAsync();
            second.Notes.Add(new Note { Text = "second" });
            await second.SaveChangesAsync();
            await transaction.CommitAsync();
            secondCommitted.SetResult();
        }
    });

    [Fact]
    public Task WaitingWriterCancelled_StopsWaitingAndTheNextOneGetsTheFile() => WithoutSynchronizationContext(async () =>
    {
        await using var holder = await OpenAsync("one.db");
        await using var cancelled = Open("one.db");
        await using var next = Open("one.db");
        using var cancellation = new CancellationTokenSource();
        await using var held = await holder.Database.BeginTransactionAsync();

        var giveUp = cancelled.Database.BeginTransactionAsync(cancellation.Token);
        AssertQueued(giveUp);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var nextWriter = WriteAsync(next, "next", order);
        AssertQueued(nextWriter);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giveUp.WaitAsync(HandOver));
        Assert.False(nextWriter.IsCompleted);

        await held.CommitAsync();
        await nextWriter.WaitAsync(HandOver);
        Assert.Equal(["next"], order);
    });

    [Fact]
    public Task WriterAskingForItsFileAgainWhileHoldingIt_TimesOutInsteadOfHanging() => WithoutSynchronizationContext(async () =>
    {
        await using var holder = await OpenAsync("one.db");
        await using var writer = Open("one.db");
        await using var nested = Open("one.db");
        await using var held = await holder.Database.BeginTransactionAsync();

        // The writer waits, so the file's own thread resumes it, and then blocks that thread asking for the file again:
        // a self-deadlock, which must end in the gate's timeout (30 s) as it did before the file had a thread.
        var asking = AskTwiceAsync();
        AssertQueued(asking);
        await held.CommitAsync();

        var first = await Task.WhenAny(asking, Task.Delay(TimeSpan.FromSeconds(90)));
        Assert.Same(asking, first);
        await Assert.ThrowsAsync<TimeoutException>(() => asking);

        async Task AskTwiceAsync()
        {
            await using var outer = await writer.Database.BeginTransactionAsync();
            using var inner = nested.Database.BeginTransaction();
        }
    });

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

    /// <summary>
    /// Runs a test as messages are handled: without a synchronization context. xunit's would take every continuation of
    /// the writers, so none would ever run on a file's own thread.
    /// </summary>
    static Task WithoutSynchronizationContext(Func<Task> test) => Task.Run(test);

    /// <summary>Writes a note in its own transaction on <paramref name="db"/> (disposed after), recording when it got the file.</summary>
    static async Task WriteAsync(NotesContext db, string text, System.Collections.Concurrent.ConcurrentQueue<string> order)
    {
        await using (db)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            order.Enqueue(text);
            db.Notes.Add(new Note { Text = text });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
    }

    /// <summary>
    /// A writer that asked for a held file is in its queue by the time its task is returned: opening a SQLite connection
    /// and asking for the file complete synchronously, so writers started one after another queue in that order.
    /// </summary>
    static void AssertQueued(Task writer) => Assert.False(writer.IsCompleted, "the writer should be waiting for the held file");

    NotesContext Open(string file) => new(Options(file));

    DbContextOptions<NotesContext> Options(string file) => new DbContextOptionsBuilder<NotesContext>()
        .UseSqlite($"Data Source={Path.Combine(_directory.Path, file)}")
        .AddInterceptors(SqliteInterceptors.All)
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
