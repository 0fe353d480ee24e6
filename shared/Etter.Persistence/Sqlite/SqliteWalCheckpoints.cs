using Microsoft.Data.Sqlite;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// Checkpoints of one file's WAL for its group's writer (<see cref="SqliteWriteGroup"/>): most of them on a connection of
/// their own, off the gate, and now and then one by the writer itself, so the WAL starts over and stays bounded.
/// </summary>
/// <remarks>
/// <para>
/// Why: SQLite checkpoints in the COMMIT that takes the WAL past 1,000 pages, and with <c>synchronous = NORMAL</c> a
/// checkpoint syncs the WAL and then the database file. The group's writer runs its COMMIT holding the file's gate, so
/// every writer of the process waited for two <c>fsync</c>s every few dozen COMMITs; in the embedded benchmark that was
/// about three quarters of orchestrator.db's COMMIT time, with the cores idle.
/// </para>
/// <para>
/// So the writer's connection does not checkpoint on its own (<c>wal_autocheckpoint = 0</c>). After each COMMIT it
/// reports the pages it wrote. Every <see cref="BackgroundEveryPages"/> pages a passive checkpoint runs on a thread and
/// connection of its own, while the writer goes on. A passive checkpoint copies what was committed when it started, so
/// under steady load the WAL is never found fully copied and would grow without end; every
/// <see cref="InLineAfterPages"/> pages the writer therefore checkpoints itself, in line, after its COMMIT and with
/// the gate still held. That one copies only what the last background checkpoint left, and the next transaction then
/// starts the WAL over. Durability is SQLite's own either way: the syncs still happen, on the checkpointer's thread.
/// </para>
/// <para>
/// Errors in a checkpoint are ignored, as SQLite ignores them in its own automatic checkpoints: the COMMITs they follow
/// have succeeded, and the next checkpoint tries again.
/// </para>
/// </remarks>
internal sealed class SqliteWalCheckpoints(string connectionString) : IDisposable
{
    /// <summary>SQLite's own automatic checkpoint size, in pages.</summary>
    internal const int DefaultBackgroundEveryPages = 1000;

    /// <summary>The WAL the writer lets grow before it checkpoints in line: about 16 MB at SQLite's 4 KiB pages.</summary>
    internal const int DefaultInLineAfterPages = 4000;

    // 0 when no background checkpoint runs; the one that sets it to 1 owns the checkpoint connection until it resets it.
    int _running;
    long _sinceBackground;
    long _sinceInLine;
    long _background;
    long _inLine;
    SqliteConnection? _connection;
    bool _disposed;

    /// <summary>Pages written between background checkpoints; a test may shorten it for its own file.</summary>
    internal int BackgroundEveryPages { get; set; } = DefaultBackgroundEveryPages;

    /// <summary>Pages written between the writer's own checkpoints; a test may shorten it for its own file.</summary>
    internal int InLineAfterPages { get; set; } = DefaultInLineAfterPages;

    /// <summary>Background checkpoints run to the end, and the writer's own.</summary>
    internal (long Background, long InLine) Counts => (Interlocked.Read(ref _background), Interlocked.Read(ref _inLine));

    /// <summary>Raised after each background checkpoint ends, on its thread (tests wait for it).</summary>
    internal event Action? BackgroundCheckpointEnded;

    /// <summary>Turns off the writer connection's own automatic checkpoints: from now on they are taken here.</summary>
    public static void TakeOver(SqliteConnection writer)
    {
        using var command = writer.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint = 0;";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The writer committed <paramref name="pages"/> pages to the WAL; called holding the gate, with no transaction open
    /// on <paramref name="writer"/>.
    /// </summary>
    public void Committed(SqliteConnection writer, int pages)
    {
        _sinceBackground += pages;
        _sinceInLine += pages;
        if (_sinceInLine >= InLineAfterPages && Volatile.Read(ref _running) == 0)
        {
            // No background checkpoint runs, and none starts while the gate is held: this one copies what is left.
            _sinceInLine = 0;
            _sinceBackground = 0;
            if (TryCheckpoint(writer))
            {
                Interlocked.Increment(ref _inLine);
            }

            return;
        }

        if (_sinceBackground >= BackgroundEveryPages && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _sinceBackground = 0;

            // A thread of its own: the checkpoint mostly waits for the disk, which a pool thread should not.
            _ = Task.Factory.StartNew(RunInBackground, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Closes the checkpoint connection, once no background checkpoint runs (the writer is being closed).</summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            // The running checkpoint closes it when it ends.
            Volatile.Write(ref _disposed, true);
            return;
        }

        CloseConnection();
        Volatile.Write(ref _running, 0);
    }

    void RunInBackground()
    {
        try
        {
            if (_connection is null)
            {
                _connection = new SqliteConnection(connectionString);
                _connection.Open();
            }

            if (TryCheckpoint(_connection))
            {
                Interlocked.Increment(ref _background);
            }
        }
        catch (SqliteException)
        {
            // Could not open the file: the next checkpoint tries again.
            CloseConnection();
        }
        finally
        {
            if (Volatile.Read(ref _disposed))
            {
                CloseConnection();
                Volatile.Write(ref _disposed, false);
            }

            Volatile.Write(ref _running, 0);
            BackgroundCheckpointEnded?.Invoke();
        }
    }

    /// <summary>A passive checkpoint: copies what it can without waiting for any reader or writer.</summary>
    static bool TryCheckpoint(SqliteConnection connection)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
