using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// Group commit for one SQLite file: the transactions this process runs on the file, one after another as its gate
/// hands it over, run inside one SQLite transaction on a writer connection of the file's own, each in a savepoint,
/// and one COMMIT ends them all. Each writer's commit returns only after that COMMIT, so nothing is reported done (a
/// message acknowledged, a push answered) before it is on disk.
/// </summary>
/// <remarks>
/// <para>
/// Why: a commit in WAL mode writes every page the transaction touched to the WAL, and the embedded benchmark's
/// transactions touch the same few table and index pages over and over (the saga table, the outbox, the history, and
/// their indexes); the COMMIT was about 40 % of the time orchestrator.db was held. Grouped, each page is written once
/// per group.
/// </para>
/// <para>
/// The group is committed when the file would otherwise be left idle (nobody waiting), when it holds
/// <see cref="MaxMembers"/> writers, or when it has been open <see cref="MaxOpenTime"/>: under light load every
/// transaction still commits on its own at once; under load a writer waits at most about that long for its COMMIT.
/// A synchronous commit cannot wait for others and commits the group itself.
/// </para>
/// <para>
/// A writer that fails rolls back to its savepoint and leaves the others' work in the group. If SQLite itself
/// abandons the transaction (an I/O error, a full disk), or the COMMIT fails, every writer of the group sees its
/// commit fail, as it would have alone, and none of them was reported done.
/// </para>
/// <para>
/// Everything here runs for the holder of the file's gate, so at most one caller at a time; a connection to the file
/// that does not take part in groups (one opened by hand) commits the open group as soon as it takes the gate.
/// </para>
/// </remarks>
internal sealed class SqliteWriteGroup
{
    internal const int MaxMembers = 32;

    /// <summary>How long the writer connection may sit unused before it is closed (a test run opens hundreds of files).</summary>
    static readonly TimeSpan IdleWriterLifetime = TimeSpan.FromSeconds(5);

    // Same bound as the connection string's Default Timeout: a writer that waits longer is stuck, not slow.
    static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
    static readonly ConcurrentDictionary<string, SqliteWriteGroup> ByFile = new(StringComparer.Ordinal);
    static readonly Lock SweepLock = new();
    static Timer? s_idleSweep;

    readonly string _connectionString;
    readonly SqliteWalCheckpoints _checkpoints;
    readonly List<SqliteGroupTransaction> _pending = [];
    KeptOpenSqliteConnection? _writer;
    SqliteCommand? _savepoint;
    SqliteCommand? _release;
    SqliteCommand? _rollbackTo;
    SqliteTransaction? _open;
    long _openedAt;
    long _lastUsed;
    long _commits;
    long _transactions;
    long _pagesWritten;

    SqliteWriteGroup(string path, string connectionString)
    {
        _connectionString = connectionString;
        _checkpoints = new SqliteWalCheckpoints(connectionString);
        Gate = new SqliteFileGate(path, MaxWait, Flush);
    }

    /// <summary>How long a group may stay open while writers keep coming; a test may lengthen it for its own file.</summary>
    internal TimeSpan MaxOpenTime { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The queue of this process's writers to the file.</summary>
    public SqliteFileGate Gate { get; }

    /// <summary>The writer's WAL checkpoints; a test may shorten their intervals for its own file.</summary>
    internal SqliteWalCheckpoints Checkpoints => _checkpoints;

    /// <summary>The COMMITs this group ran, the transactions they carried, the pages they wrote and the checkpoints.</summary>
    internal SqliteGroupCounts Counts
    {
        get
        {
            var (background, inLine) = _checkpoints.Counts;
            return new(Interlocked.Read(ref _commits), Interlocked.Read(ref _transactions), Interlocked.Read(ref _pagesWritten), background, inLine);
        }
    }

    /// <summary>What each file's group did, by full path.</summary>
    internal static Dictionary<string, SqliteGroupCounts> Snapshot() =>
        ByFile.ToDictionary(x => x.Key, x => x.Value.Counts, StringComparer.Ordinal);

    /// <summary>The group of the file <paramref name="connection"/> opens; null when it is not a file (an in-memory database).</summary>
    public static SqliteWriteGroup? For(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var builder = new SqliteConnectionStringBuilder(connection.ConnectionString);
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
        {
            return null;
        }

        var path = Path.GetFullPath(builder.DataSource);
        return ByFile.GetOrAdd(path, static (path, connectionString) => new SqliteWriteGroup(path, connectionString), connection.ConnectionString);
    }

    /// <summary>
    /// Starts <paramref name="connection"/>'s transaction in the group; the caller holds the gate. On failure the gate is
    /// let go.
    /// </summary>
    public SqliteGroupTransaction Join(KeptOpenSqliteConnection connection)
    {
        try
        {
            _lastUsed = Environment.TickCount64;
            var writer = _writer ?? OpenWriter();
            if (_open is null)
            {
                _open = writer.BeginTransaction(deferred: false);
                _openedAt = Stopwatch.GetTimestamp();
            }

            Run(_savepoint!);
            return new SqliteGroupTransaction(connection, this);
        }
        catch (Exception ex)
        {
            Abandon(ex);
            Gate.Exit();
            throw;
        }
    }

    /// <summary>Keeps a writer's work in the group and waits for the group's COMMIT (or, synchronously, commits it).</summary>
    public async Task CommitAsync(SqliteGroupTransaction member)
    {
        if (Keep(member) && (_pending.Count >= MaxMembers || Stopwatch.GetElapsedTime(_openedAt) >= MaxOpenTime))
        {
            Flush();
        }

        Gate.Exit();
        await member.Committed.Task.ConfigureAwait(false);
    }

    /// <inheritdoc cref="CommitAsync"/>
    public void Commit(SqliteGroupTransaction member)
    {
        if (Keep(member))
        {
            Flush();
        }

        Gate.Exit();
        member.Committed.Task.GetAwaiter().GetResult();
    }

    /// <summary>Undoes a writer's work and leaves the rest of the group as it was.</summary>
    public void Rollback(SqliteGroupTransaction member)
    {
        try
        {
            _writer!.EndReadings();
            Run(_rollbackTo!);
            Run(_release!);
        }
        catch (Exception ex)
        {
            Abandon(ex);
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <summary>
    /// Commits the open group for a writer outside it (a connection that does not take part in groups), which now
    /// holds the gate and would otherwise wait on SQLite's own lock for a COMMIT that only the gate's holder can run.
    /// </summary>
    public void CommitForOutsideWriter() => Flush();

    /// <summary>Runs a savepoint statement of a writer's own (EF Core's around SaveChanges) inside its part of the group.</summary>
    public void Savepoint(string verb, string name)
    {
        using var command = _writer!.CreateCommand();
        command.CommandText = $"{verb} \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        command.Transaction = _open;
        command.ExecuteNonQuery();
    }

    /// <summary>The writer connection's prepared statement for <paramref name="command"/>, in the group's transaction.</summary>
    internal KeptStatement? Take(DbCommand command) => _writer?.Take(command, _open);

    /// <summary>
    /// A command on the writer connection for a statement its cache would not take (a nested query, a full cache),
    /// carrying <paramref name="command"/>'s text and parameters, in the group's transaction.
    /// </summary>
    internal SqliteCommand StandIn(DbCommand command)
    {
        var standIn = _writer!.CreateCommand();
        standIn.CommandText = command.CommandText;
        standIn.CommandTimeout = command.CommandTimeout;
        standIn.Transaction = _open;
        foreach (SqliteParameter parameter in command.Parameters)
        {
            standIn.Parameters.Add(parameter);
        }

        return standIn;
    }

    /// <summary>Releases the writer's savepoint; false if SQLite abandoned the group's transaction meanwhile.</summary>
    bool Keep(SqliteGroupTransaction member)
    {
        try
        {
            _writer!.EndReadings();
            Run(_release!);
            _pending.Add(member);
            return true;
        }
        catch (Exception ex)
        {
            // The savepoint is gone with the transaction (SQLite rolls back the whole of it on some errors): so is the
            // work of every writer before this one.
            Abandon(ex);
            member.Committed.TrySetException(ex);
            return false;
        }
    }

    void Flush()
    {
        if (_open is not { } open)
        {
            return;
        }

        _open = null;
        Exception? failure = null;
        try
        {
            open.Commit();
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        EndTransaction(open);
        if (failure is not null)
        {
            Complete(failure);
            return;
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _transactions, _pending.Count);
        var pages = PagesWrittenSinceLastAsked();
        Interlocked.Add(ref _pagesWritten, pages);

        // The group's writers are told first: their work is on disk, and a checkpoint in line need not hold them up.
        Complete(failure: null);
        _checkpoints.Committed(_writer!, pages);
    }

    /// <summary>Rolls back the whole group; every writer waiting for its COMMIT sees <paramref name="cause"/>.</summary>
    void Abandon(Exception cause)
    {
        if (_open is { } open)
        {
            _open = null;
            EndTransaction(open);
        }

        Complete(cause);
    }

    void Complete(Exception? failure)
    {
        foreach (var member in _pending)
        {
            if (failure is null)
            {
                member.Committed.TrySetResult();
            }
            else
            {
                member.Committed.TrySetException(failure);
            }
        }

        _pending.Clear();
    }

    /// <summary>
    /// Pages the writer has written to the WAL since the last call (SQLite's cache-write count, reset as it is read):
    /// each COMMIT writes every page its transactions changed once, and the checkpoint copies them again.
    /// </summary>
    int PagesWrittenSinceLastAsked()
    {
        if (_writer?.Handle is not { } handle)
        {
            return 0;
        }

        _ = SQLitePCL.raw.sqlite3_db_status(handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1);
        return written;
    }

    static void EndTransaction(SqliteTransaction transaction)
    {
        try
        {
            // Rolls back what is still open (a failed COMMIT); nothing after a successful one.
            transaction.Dispose();
        }
        catch (SqliteException)
        {
            // The connection has no transaction left to roll back.
        }
    }

    void Run(SqliteCommand command)
    {
        command.Transaction = _open;
        command.ExecuteNonQuery();
    }

    KeptOpenSqliteConnection OpenWriter()
    {
        var writer = new KeptOpenSqliteConnection(_connectionString, KeptOpenSqliteConnection.WriterStatements, groupsCommits: false);
        writer.Open();
        using (var setup = writer.CreateCommand())
        {
            // The member connections' settings (SqliteConnectionSetup), and savepoints' undo copies kept in memory.
            setup.CommandText = SqliteConnectionSetup.Pragmas + " PRAGMA temp_store = MEMORY;";
            setup.ExecuteNonQuery();
        }

        SqliteWalCheckpoints.TakeOver(writer);

        _savepoint = Prepare(writer, "SAVEPOINT etter_writer");
        _release = Prepare(writer, "RELEASE etter_writer");
        _rollbackTo = Prepare(writer, "ROLLBACK TO etter_writer");
        _writer = writer;
        StartIdleSweep();
        return writer;
    }

    static SqliteCommand Prepare(SqliteConnection writer, string sql)
    {
        var command = writer.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Starts the sweep that closes unused writers, once per process, when the first writer opens.</summary>
    static void StartIdleSweep()
    {
        lock (SweepLock)
        {
            s_idleSweep ??= new Timer(static _ => SweepIdleWriters(), null, IdleWriterLifetime, IdleWriterLifetime);
        }
    }

    static void SweepIdleWriters()
    {
        foreach (var group in ByFile.Values)
        {
            group.CloseIfIdle();
        }
    }

    void CloseIfIdle()
    {
        if (_writer is null || Environment.TickCount64 - Volatile.Read(ref _lastUsed) < IdleWriterLifetime.TotalMilliseconds || !Gate.TryEnter())
        {
            return;
        }

        try
        {
            if (_open is null && _writer is { } writer)
            {
                _writer = null;
                _savepoint?.Dispose();
                _release?.Dispose();
                _rollbackTo?.Dispose();
                writer.Dispose();
                _checkpoints.Dispose();
            }
        }
        finally
        {
            Gate.Exit();
        }
    }
}
