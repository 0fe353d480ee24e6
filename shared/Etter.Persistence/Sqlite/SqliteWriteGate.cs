using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// Lets one transaction at a time write to a SQLite file from this process. Embedded mode runs every
/// component in one process against a few SQLite files, and SQLite allows a single writer per file: without
/// a queue, concurrent <c>BEGIN IMMEDIATE</c>s collide and Microsoft.Data.Sqlite retries them after fixed
/// 150 ms sleeps, which turned a 2 ms transaction into hundreds of milliseconds of waiting under load. An
/// in-process queue hands the file over the moment the previous writer commits.
/// </summary>
/// <remarks>
/// <para>
/// A <see cref="KeptOpenSqliteConnection"/> (every context's, in embedded mode) queues at the file's gate itself and
/// runs its transaction in the file's <see cref="SqliteWriteGroup"/>; this interceptor queues the others (a connection
/// opened by hand), and has them commit the group's open transaction first, since theirs cannot join it.
/// </para>
/// Writers in other processes (or autocommit statements outside a transaction) are still arbitrated by
/// SQLite itself, through the busy timeout <see cref="SqliteConnectionSetup"/> sets on every connection.
/// </remarks>
public sealed class SqliteWriteGate : DbTransactionInterceptor
{
    public static readonly SqliteWriteGate Instance = new();

    static readonly ConcurrentDictionary<Guid, SqliteFileGate> Held = new();

    SqliteWriteGate()
    {
    }

    // A connection that already holds the file is the same writer again: EF Core runs one transaction per connection at a
    // time, so its earlier transaction ended, by a dispose that raised no event (a retried message does this).
    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(eventData);
        if (Held.ContainsKey(eventData.ConnectionId) || GroupFor(connection) is not { } group)
        {
            return result;
        }

        group.Gate.Enter();
        Held[eventData.ConnectionId] = group.Gate;
        group.CommitForOutsideWriter();
        return result;
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(eventData);
        if (Held.ContainsKey(eventData.ConnectionId) || GroupFor(connection) is not { } group)
        {
            return result;
        }

        await group.Gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        Held[eventData.ConnectionId] = group.Gate;
        group.CommitForOutsideWriter();
        return result;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData);
        return LeaveWriterThread();
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData);
        return LeaveWriterThread();
    }

    // A failed BEGIN, COMMIT or ROLLBACK: the transaction is over as far as the queue is concerned.
    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(eventData);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData);
        return LeaveWriterThread();
    }

    /// <summary>
    /// A writer the file's thread resumed has ended its transaction: the rest of its work (the caller's code after the
    /// commit) continues on the thread pool, and the file's thread goes on to the next writer.
    /// </summary>
    static Task LeaveWriterThread() => SqliteFileGate.OnWriterThread ? YieldToThreadPoolAsync() : Task.CompletedTask;

    static async Task YieldToThreadPoolAsync() => await Task.Yield();

    /// <summary>
    /// Releases the file if the connection still holds it. Also called when a connection closes,
    /// so a transaction disposed without commit or rollback cannot keep the file forever.
    /// </summary>
    internal static void Release(TransactionEventData? eventData)
    {
        if (eventData is not null)
        {
            Release(eventData.ConnectionId);
        }
    }

    /// <summary>
    /// Releases the file if <paramref name="context"/>'s connection still holds it; called when a context ends its lease.
    /// A connection opened by hand (EF Core's migrator does so) stays open when its pooled context goes back to the pool,
    /// so a transaction that ended by being disposed (a rollback without a rollback event) would otherwise keep the file.
    /// </summary>
    public static void Release(DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Guid connectionId;
        try
        {
            connectionId = context.GetService<IRelationalConnection>().ConnectionId;
        }
        catch (ObjectDisposedException)
        {
            // Already back in its pool (the pool itself is being disposed): it let go when its lease ended.
            return;
        }

        Release(connectionId);
    }

    internal static void Release(Guid connectionId)
    {
        if (Held.TryRemove(connectionId, out var gate))
        {
            gate.Exit();
        }
    }

    /// <summary>The group whose gate this connection's transactions queue at here; null where the connection queues itself.</summary>
    static SqliteWriteGroup? GroupFor(DbConnection connection) => connection switch
    {
        KeptOpenSqliteConnection { GroupsCommits: true } => null,
        SqliteConnection sqlite => SqliteWriteGroup.For(sqlite),
        _ => null,
    };
}
