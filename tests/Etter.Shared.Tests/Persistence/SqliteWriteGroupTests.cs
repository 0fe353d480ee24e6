using Etter.Persistence;
using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Etter.Shared.Tests.Persistence;

/// <summary>
/// Group commit on embedded mode's SQLite files: transactions queued for a file share one COMMIT, and none of them is
/// reported committed before that COMMIT is done; one that fails or rolls back takes nothing of the others with it.
/// </summary>
public sealed class SqliteWriteGroupTests : IDisposable
{
    static readonly TimeSpan HandOver = TimeSpan.FromSeconds(10);
    readonly TempDirectory _directory = new();

    [Fact]
    public Task WritersQueuedBehindAHolder_CommitTogetherInOneCommit() => WithoutSynchronizationContext(async () =>
    {
        var group = await GroupOfAsync("one.db");
        await using var holder = Open("one.db");
        var before = group.Counts;

        var held = await holder.Database.BeginTransactionAsync();
        await AddNoteAsync(holder, "holder");
        var writers = new[] { "a", "b", "c" }.Select(text => WriteAsync(Open("one.db"), text)).ToList();
        writers.ForEach(AssertQueued);

        await held.CommitAsync().WaitAsync(HandOver);
        await Task.WhenAll(writers).WaitAsync(HandOver);

        Assert.Equal((1, 4), Since(before, group));
        Assert.Equal(["a", "b", "c", "holder"], await CommittedNotesAsync("one.db"));
    });

    [Fact]
    public Task WriterWhoseGroupIsStillOpen_IsNotToldItCommittedUntilTheGroupIs() => WithoutSynchronizationContext(async () =>
    {
        await GroupOfAsync("one.db");
        await using var holder = Open("one.db");
        await using var first = Open("one.db");
        await using var second = Open("one.db");
        var secondInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondMayCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var held = await holder.Database.BeginTransactionAsync();
        var firstWriter = WriteAsync(first, "first");
        AssertQueued(firstWriter);
        var secondWriter = SecondAsync();
        AssertQueued(secondWriter);
        var holderCommit = held.CommitAsync();

        // The first writer has done all its work and asked to commit; the second holds the file, inside its transaction.
        await secondInside.Task.WaitAsync(HandOver);
        Assert.False(firstWriter.IsCompleted, "the first writer was told it committed while its group was still open");
        Assert.False(holderCommit.IsCompleted, "the holder was told it committed while its group was still open");
        Assert.Empty(await CommittedNotesAsync("one.db"));

        secondMayCommit.SetResult();
        await Task.WhenAll(firstWriter, secondWriter, holderCommit).WaitAsync(HandOver);
        Assert.Equal(["first", "second"], await CommittedNotesAsync("one.db"));

        async Task SecondAsync()
        {
            await using var transaction = await second.Database.BeginTransactionAsync();
            await AddNoteAsync(second, "second");
            secondInside.SetResult();
            await secondMayCommit.Task;
            await transaction.CommitAsync();
        }
    });

    [Fact]
    public Task WriterRollingBackInAGroup_LeavesTheOthersWorkCommitted() => WithoutSynchronizationContext(async () =>
    {
        var group = await GroupOfAsync("one.db");
        await using var holder = Open("one.db");
        await using var undone = Open("one.db");
        var before = group.Counts;

        var held = await holder.Database.BeginTransactionAsync();
        await AddNoteAsync(holder, "holder");
        var first = WriteAsync(Open("one.db"), "first");
        var rolledBack = RollBackAsync();
        var last = WriteAsync(Open("one.db"), "last");
        AssertQueued(last);

        await held.CommitAsync().WaitAsync(HandOver);
        await Task.WhenAll(first, rolledBack, last).WaitAsync(HandOver);

        Assert.Equal(["first", "holder", "last"], await CommittedNotesAsync("one.db"));
        Assert.Equal((1, 3), Since(before, group));

        async Task RollBackAsync()
        {
            await using var transaction = await undone.Database.BeginTransactionAsync();
            await AddNoteAsync(undone, "rolled back");
            await transaction.RollbackAsync();
        }
    });

    [Fact]
    public Task GroupWhoseCommitFails_FailsEveryWriterInItAndTheNextGroupStartsClean() => WithoutSynchronizationContext(async () =>
    {
        await GroupOfAsync("one.db");
        await using var holder = Open("one.db");
        await using var breaker = Open("one.db");

        // A deferred foreign key is checked only by the COMMIT, so the group's COMMIT itself fails.
        await holder.Database.ExecuteSqlRawAsync(
            "CREATE TABLE Parents (Id INTEGER PRIMARY KEY); CREATE TABLE Children (Id INTEGER PRIMARY KEY, ParentId INTEGER NOT NULL REFERENCES Parents (Id) DEFERRABLE INITIALLY DEFERRED);");

        var held = await holder.Database.BeginTransactionAsync();
        await AddNoteAsync(holder, "holder");
        var orphan = OrphanAsync();
        AssertQueued(orphan);

        var holderCommit = held.CommitAsync();
        await Assert.ThrowsAsync<SqliteException>(() => orphan.WaitAsync(HandOver));
        await Assert.ThrowsAsync<SqliteException>(() => holderCommit.WaitAsync(HandOver));
        Assert.Empty(await CommittedNotesAsync("one.db"));

        await WriteAsync(Open("one.db"), "after").WaitAsync(HandOver);
        Assert.Equal(["after"], await CommittedNotesAsync("one.db"));

        async Task OrphanAsync()
        {
            await using var transaction = await breaker.Database.BeginTransactionAsync();
            await breaker.Database.ExecuteSqlRawAsync("INSERT INTO Children (Id, ParentId) VALUES (1, 42)");
            await transaction.CommitAsync();
        }
    });

    [Fact]
    public Task WriteOutsideATransaction_QueuesAndCommitsAsATransactionOfTheGroup() => WithoutSynchronizationContext(async () =>
    {
        var group = await GroupOfAsync("one.db");
        await using var holder = Open("one.db");
        await using var bare = Open("one.db");
        var before = group.Counts;

        var held = await holder.Database.BeginTransactionAsync();
        await AddNoteAsync(holder, "holder");
        var write = bare.Database.ExecuteSqlRawAsync("INSERT INTO Notes (Text) VALUES ('bare')");
        AssertQueued(write);

        await held.CommitAsync().WaitAsync(HandOver);
        Assert.Equal(1, await write.WaitAsync(HandOver));
        Assert.Equal((1, 2), Since(before, group));
        Assert.Equal(["bare", "holder"], await CommittedNotesAsync("one.db"));
    });

    [Fact]
    public Task SaveOfOneRowOutsideATransaction_QueuesAndCommitsAsATransactionOfTheGroup() => WithoutSynchronizationContext(async () =>
    {
        var group = await GroupOfAsync("one.db");
        await using var holder = Open("one.db");
        await using var saver = Open("one.db");
        var before = group.Counts;

        var held = await holder.Database.BeginTransactionAsync();
        await AddNoteAsync(holder, "holder");

        // One row with a generated key: EF Core would run it alone, as an INSERT ... RETURNING whose result is read.
        var save = AddNoteAsync(saver, "saved");
        AssertQueued(save);

        await held.CommitAsync().WaitAsync(HandOver);
        await save.WaitAsync(HandOver);
        Assert.Equal((1, 2), Since(before, group));
        Assert.Equal(["holder", "saved"], await CommittedNotesAsync("one.db"));
    });

    [Fact]
    public Task WriterOnAConnectionOutsideTheGroup_CommitsTheOpenGroupInsteadOfWaitingForIt() => WithoutSynchronizationContext(async () =>
    {
        await GroupOfAsync("one.db");
        await using var holder = Open("one.db");
        await using var member = Open("one.db");
        await using var outsider = new SqliteConnection(ConnectionString("one.db"));
        await using var outside = new NotesContext(new DbContextOptionsBuilder<NotesContext>()
            .UseSqlite(outsider)
            .AddInterceptors(SqliteInterceptors.All)
            .Options);

        var held = await holder.Database.BeginTransactionAsync();
        var memberWriter = WriteAsync(member, "member");
        var outsideWriter = WriteAsync(outside, "outside");
        AssertQueued(outsideWriter);

        // The member's commit waits for its group; the outsider, next at the gate, cannot join the group's transaction
        // and would wait on SQLite's lock (30 s) for a COMMIT nobody else runs, unless it commits the group first.
        await held.CommitAsync().WaitAsync(HandOver);
        await Task.WhenAll(memberWriter, outsideWriter).WaitAsync(HandOver);
        Assert.Equal(["member", "outside"], await CommittedNotesAsync("one.db"));
    });

    [Fact]
    public async Task SynchronousCommit_CommitsTheGroupAtOnce()
    {
        var group = await GroupOfAsync("one.db");
        await using var db = Open("one.db");
        var before = group.Counts;

        using (var transaction = db.Database.BeginTransaction())
        {
            db.Notes.Add(new Note { Text = "sync" });
            db.SaveChanges();
            transaction.Commit();
        }

        Assert.Equal((1, 1), Since(before, group));
        Assert.Equal(["sync"], await CommittedNotesAsync("one.db"));
    }

    [Theory]
    [InlineData("INSERT INTO x VALUES (1)", true)]
    [InlineData("  update x SET a = 1", true)]
    [InlineData("DELETE FROM x", true)]
    [InlineData("REPLACE INTO x VALUES (1)", true)]
    [InlineData("-- tagged\nUPDATE x SET a = 1", true)]
    [InlineData("/* hint */ DELETE FROM x", true)]
    [InlineData("SELECT * FROM x", false)]
    [InlineData("PRAGMA journal_mode=WAL;", false)]
    [InlineData("-- only a comment", false)]
    [InlineData("", false)]
    public void StatementOutsideATransaction_IsTakenForAWriteByItsFirstWord(string sql, bool write) =>
        Assert.Equal(write, KeptOpenSqliteCommand.IsWrite(sql));

    [Fact]
    public Task WalPastTheAutomaticCheckpointSize_TheWritersCommitsLeaveItToTheBackground() => WithoutSynchronizationContext(async () =>
    {
        var group = await GroupOfAsync("wal.db");
        group.Checkpoints.BackgroundEveryPages = int.MaxValue;
        group.Checkpoints.InLineAfterPages = int.MaxValue;
        var databaseBefore = FileLength("wal.db");

        // Past SQLite's own 1,000 pages, its automatic checkpoint would have copied them into the database file.
        var (notes, _) = await WritePagesAsync(group, "wal.db", 1_200);

        Assert.Equal(databaseBefore, FileLength("wal.db"));
        Assert.Equal((0, 0), (group.Counts.BackgroundCheckpoints, group.Counts.InLineCheckpoints));

        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        group.Checkpoints.BackgroundCheckpointEnded += () => ended.TrySetResult();
        group.Checkpoints.BackgroundEveryPages = 1;
        await WriteAsync(Open("wal.db"), "one more");
        await ended.Task.WaitAsync(HandOver);

        Assert.Equal(1, group.Counts.BackgroundCheckpoints);
        Assert.True(FileLength("wal.db") > databaseBefore + (256L * 4096), $"the background checkpoint should have copied the WAL into the database file: {databaseBefore} -> {FileLength("wal.db")}");
        Assert.Equal(notes + 1, (await CommittedNotesAsync("wal.db")).Count);
    });

    [Fact]
    public Task WalPastTheInLineSize_TheWriterCheckpointsAndTheWalStartsOver() => WithoutSynchronizationContext(async () =>
    {
        var group = await GroupOfAsync("restart.db");
        group.Checkpoints.BackgroundEveryPages = int.MaxValue;
        group.Checkpoints.InLineAfterPages = 100;

        var (_, written) = await WritePagesAsync(group, "restart.db", 1_000);

        Assert.True(group.Counts.InLineCheckpoints >= 5, $"in-line checkpoints: {group.Counts.InLineCheckpoints}");
        var walPages = FileLength("restart.db-wal") / 4096;
        Assert.True(walPages < 300, $"the WAL holds {walPages} pages of the {written} written: it should have started over");
    });

    public void Dispose() => _directory.Dispose();

    /// <summary>Writes notes of about four pages each, one transaction each, until the group wrote <paramref name="pages"/> pages.</summary>
    async Task<(int Notes, long Pages)> WritePagesAsync(SqliteWriteGroup group, string file, int pages)
    {
        var before = group.Counts.PagesWritten;
        var text = new string('x', 4 * 4096);
        var notes = 0;
        while (group.Counts.PagesWritten - before < pages)
        {
            await WriteAsync(Open(file), $"{notes++}{text}");
        }

        return (notes, group.Counts.PagesWritten - before);
    }

    long FileLength(string file) => new FileInfo(Path.Combine(_directory.Path, file)).Length;

    /// <summary>Creates the file's schema, and gives its group time enough that a slow machine does not split a test's group.</summary>
    async Task<SqliteWriteGroup> GroupOfAsync(string file)
    {
        await using (var db = Open(file))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var group = SqliteWriteGroup.For(new SqliteConnection(ConnectionString(file)))!;
        group.MaxOpenTime = TimeSpan.FromMinutes(1);
        return group;
    }

    static (long Commits, long Transactions) Since(SqliteGroupCounts before, SqliteWriteGroup group) =>
        (group.Counts.Commits - before.Commits, group.Counts.Transactions - before.Transactions);

    /// <summary>What another connection, outside this process's gate and groups, reads as committed.</summary>
    async Task<List<string>> CommittedNotesAsync(string file)
    {
        await using var connection = new SqliteConnection(ConnectionString(file));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Text FROM Notes ORDER BY Text";
        await using var reader = await command.ExecuteReaderAsync();
        var notes = new List<string>();
        while (await reader.ReadAsync())
        {
            notes.Add(reader.GetString(0));
        }

        return notes;
    }

    static async Task AddNoteAsync(NotesContext db, string text)
    {
        db.Notes.Add(new Note { Text = text });
        await db.SaveChangesAsync();
    }

    /// <summary>Writes a note in its own transaction on <paramref name="db"/>, disposed after.</summary>
    static async Task WriteAsync(NotesContext db, string text)
    {
        await using (db)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await AddNoteAsync(db, text);
            await transaction.CommitAsync();
        }
    }

    /// <summary>As in <see cref="SqliteWriteGateTests"/>: messages are handled without a synchronization context.</summary>
    static Task WithoutSynchronizationContext(Func<Task> test) => Task.Run(test);

    static void AssertQueued(Task writer) => Assert.False(writer.IsCompleted, "the writer should be waiting for the held file");

    string ConnectionString(string file) => $"Data Source={Path.Combine(_directory.Path, file)}";

    NotesContext Open(string file) => new(new DbContextOptionsBuilder<NotesContext>()
        .UseSqlite(ConnectionString(file))
        .AddInterceptors(SqliteInterceptors.All)
        .Options);

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
