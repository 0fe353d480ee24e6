using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>
/// The transaction one message's saga unit of work commits in, for writes that are not tracked entities (a set-based
/// UPDATE of another table) but must commit or roll back with the saga row.
/// </summary>
/// <remarks>
/// On PostgreSQL the repository opens the transaction before the load, and an enlisted write runs at once. On SQLite it
/// opens the transaction only to save (see <see cref="EfSagaRepositoryContextFactory{TDbContext,TSaga}"/>), so an
/// enlisted write waits for it and runs first inside it. Either way it is never committed without the saga row.
/// </remarks>
public sealed class SagaTransaction<TDbContext>(TDbContext db)
    where TDbContext : DbContext
{
    readonly List<Func<TDbContext, CancellationToken, Task>> _waiting = [];

    /// <summary>Runs <paramref name="write"/> in the saga's transaction: now if it is open, otherwise as soon as it opens.</summary>
    public Task EnlistAsync(Func<TDbContext, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (db.Database.CurrentTransaction is not null)
        {
            return write(db, cancellationToken);
        }

        _waiting.Add(write);
        return Task.CompletedTask;
    }

    internal bool HasWaiting => _waiting.Count > 0;

    /// <summary>The transaction is open: the writes that waited for it run now, in the order they were enlisted.</summary>
    internal async Task RunWaitingAsync(CancellationToken cancellationToken)
    {
        foreach (var write in _waiting)
        {
            await write(db, cancellationToken);
        }

        _waiting.Clear();
    }

    /// <summary>A new attempt at the unit of work starts; what an earlier attempt enlisted was never written.</summary>
    internal void Reset() => _waiting.Clear();
}
