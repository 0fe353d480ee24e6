using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// Per-connection SQLite settings EF Core cannot put in the connection string, and the safety release of
/// <see cref="SqliteWriteGate"/> when a connection closes.
/// </summary>
public sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();

    // busy_timeout makes SQLite wait for a lock held by another process (the CLI, a second embedded host) with
    // its own short back-off, instead of failing at once into Microsoft.Data.Sqlite's 150 ms retry sleeps.
    // synchronous = NORMAL: in WAL mode a commit is then written to the WAL file but not fsynced; the WAL is synced
    // at checkpoints. A committed transaction survives the process being killed (the promise embedded mode makes,
    // tested by EmbeddedKillTests); only an OS crash or power loss can undo the last few. The fsync per commit ran
    // while the write gate held the file, and cost a quarter of embedded throughput.
    internal const string Pragmas = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";

    // Both settings belong to the native connection, which Microsoft.Data.Sqlite pools: a pooled one keeps them, and
    // EF Core opens a connection for every query and transaction (several times per saga message), so setting them
    // again on each open parsed and ran two statements for nothing.
    static readonly ConditionalWeakTable<object, object> Configured = new();

    SqliteConnectionSetup()
    {
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (IsSetUp(connection))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        MarkSetUp(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (IsSetUp(connection))
        {
            return;
        }

        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        MarkSetUp(connection);
    }

    /// <summary>Whether this open reached a native connection already set up (a pooled one, not a new one).</summary>
    static bool IsSetUp(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && Configured.TryGetValue(handle, out _);

    static void MarkSetUp(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            Configured.AddOrUpdate(handle, handle);
        }
    }

    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        SqliteWriteGate.Release(eventData.ConnectionId);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        SqliteWriteGate.Release(eventData.ConnectionId);
        return ValueTask.FromResult(result);
    }
}
