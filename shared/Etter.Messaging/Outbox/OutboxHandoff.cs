using System.Runtime.CompilerServices;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

/// <summary>
/// Hands a unit of work's outbox rows to the <see cref="OutboxDispatcher{TDbContext}"/> the moment the transaction
/// that wrote them commits, with the message objects still in memory, so the hot path neither polls nor reads the
/// rows back. A save without an explicit transaction hands off by itself; code that commits its own transaction
/// calls <see cref="Committed"/>. Rows never handed off (a crash, a forgotten call) are the relay's to deliver.
/// </summary>
/// <remarks>
/// Contexts are pooled, so one instance serves many units of work. Pending rows belong to one lease of it
/// (<see cref="DbContextId.Lease"/>): rows a unit left behind are dropped when the next unit starts, never sent with its
/// commit, and the save events are subscribed again because EF Core resets them on every lease.
/// </remarks>
public sealed class OutboxHandoff<TDbContext>(OutboxDispatcher<TDbContext> dispatcher)
    where TDbContext : DbContext
{
    readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    /// <summary>Whether messages to <paramref name="destination"/> need no row (see <see cref="OutboxDelivery.NeedsNoRow"/>).</summary>
    internal bool NeedsNoRow(Uri destination, bool isResponse) => dispatcher.NeedsNoRow(destination, isResponse);

    /// <param name="stored">False for a message that has no row: it is handed off with the commit all the same.</param>
    internal void Track(DbContext db, OutboxMessage row, object message, bool stored = true)
    {
        var pending = _pending.GetValue(db, static _ => new Pending());
        var lease = db.ContextId.Lease;
        lock (pending)
        {
            if (pending.Lease != lease)
            {
                pending.Lease = lease;
                pending.Rows.Clear();
                db.SavedChanges += OnSaved;
                db.SaveChangesFailed += OnSaveFailed;
            }

            pending.Rows.Add((row, message, stored));
        }
    }

    /// <summary>The explicit transaction of <paramref name="db"/> committed: its rows go out now.</summary>
    public void Committed(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!_pending.TryGetValue(db, out var pending))
        {
            return;
        }

        List<(OutboxMessage Row, object Message, bool Stored)> rows;
        lock (pending)
        {
            rows = pending.Lease == db.ContextId.Lease ? [.. pending.Rows] : [];
            pending.Rows.Clear();
        }

        foreach (var (row, message, stored) in rows)
        {
            dispatcher.Enqueue(row, message, stored);
        }
    }

    /// <summary>The unit of work was rolled back (or is about to be re-run): its rows were never written.</summary>
    public void Discard(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);

        // Their rows too, where they wait outside the change tracker.
        (db as EtterDbContext)?.DropUntracked();
        if (_pending.TryGetValue(db, out var pending))
        {
            lock (pending)
            {
                pending.Rows.Clear();
            }
        }
    }

    void OnSaved(object? sender, SavedChangesEventArgs e)
    {
        // Inside an explicit transaction the rows are not committed yet; whoever owns it calls Committed.
        if (sender is DbContext db && db.Database.CurrentTransaction is null)
        {
            Committed(db);
        }
    }

    void OnSaveFailed(object? sender, SaveChangesFailedEventArgs e)
    {
        if (sender is DbContext db)
        {
            Discard(db);
        }
    }

    sealed class Pending
    {
        /// <summary>The lease of the pooled context these rows were written under; -1 before the first.</summary>
        public int Lease { get; set; } = -1;

        public List<(OutboxMessage Row, object Message, bool Stored)> Rows { get; } = [];
    }
}
