using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

/// <summary>
/// Hands a unit of work's outbox rows to the <see cref="OutboxDispatcher{TDbContext}"/> the moment the transaction
/// that wrote them commits, with the message objects still in memory, so the hot path neither polls nor reads the
/// rows back. A save without an explicit transaction hands off by itself; code that commits its own transaction
/// calls <see cref="Committed"/>. Rows never handed off (a crash, a forgotten call) are the relay's to deliver.
/// </summary>
public sealed class OutboxHandoff<TDbContext>(OutboxDispatcher<TDbContext> dispatcher)
    where TDbContext : DbContext
{
    readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    internal void Track(DbContext db, OutboxMessage row, object message)
    {
        var pending = _pending.GetValue(db, context =>
        {
            var created = new Pending();
            context.SavedChanges += OnSaved;
            context.SaveChangesFailed += OnSaveFailed;
            return created;
        });
        lock (pending)
        {
            pending.Rows.Add((row, message));
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

        List<(OutboxMessage Row, object Message)> rows;
        lock (pending)
        {
            rows = [.. pending.Rows];
            pending.Rows.Clear();
        }

        foreach (var (row, message) in rows)
        {
            dispatcher.Enqueue(row, message);
        }
    }

    /// <summary>The unit of work was rolled back (or is about to be re-run): its rows were never written.</summary>
    public void Discard(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
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
        public List<(OutboxMessage Row, object Message)> Rows { get; } = [];
    }
}
