using Etter.Persistence.PlainWrites;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>
/// The saga rows one message's unit of work read or created, held outside EF Core's change tracker with a copy of each
/// row as read: what the state machine changed is found by comparing the two, and written as plain statements
/// (<see cref="PlainRows{TEntity}"/>).
/// </summary>
/// <remarks>
/// The tracker still holds everything else the unit of work writes (history and outbox rows, answers, rows of other
/// tables); those are few, small and only ever added, so its one change detection per message stays cheap.
/// </remarks>
internal sealed class UntrackedSagas<TSaga>
    where TSaga : class, ISagaVersion
{
    readonly PlainRows<TSaga> _rows;
    readonly List<Held> _held = [];

    UntrackedSagas(PlainRows<TSaga> rows) => _rows = rows;

    /// <summary>Anything to write, as found by the last <see cref="Prepare"/>.</summary>
    public bool HasWrites { get; private set; }

    /// <summary>Null when the saga's shape is one the plain rows do not take: the repository then tracks it in EF Core.</summary>
    public static UntrackedSagas<TSaga>? For(DbContext db) => PlainRows<TSaga>.For(db) is { } rows ? new UntrackedSagas<TSaga>(rows) : null;

    public async Task<TSaga?> LoadAsync(DbContext db, Guid correlationId, CancellationToken cancellationToken)
    {
        var saga = await _rows.FindAsync(db, correlationId, cancellationToken);
        if (saga is not null)
        {
            _held.Add(new Held(saga, _rows.Copy(saga)));
        }

        return saga;
    }

    public bool Holds(TSaga saga) => Find(saga) is not null;

    /// <summary>A new saga, inserted at version 1 when the unit of work is written.</summary>
    public void Add(TSaga saga)
    {
        saga.Version = 1;
        _held.Add(new Held(saga, Original: null));
    }

    /// <summary>A saga to delete when the unit of work is written; one added in this unit of work is simply not inserted.</summary>
    public void Delete(TSaga saga)
    {
        var held = Find(saga)!;
        if (held.Original is null)
        {
            _held.Remove(held);
        }
        else
        {
            held.Deleted = true;
        }
    }

    /// <summary>A saga that is not to be written after all (a new one the state machine finished at once).</summary>
    public void Forget(TSaga saga) => _held.Remove(Find(saga)!);

    /// <summary>The unit of work starts again, or is over.</summary>
    public void Clear()
    {
        _held.Clear();
        HasWrites = false;
    }

    /// <summary>
    /// Before the write: finds which sagas changed and moves their versions (the concurrency token) by one from the row as
    /// read; an unchanged saga is not written and keeps its version. Safe to repeat.
    /// </summary>
    public void Prepare()
    {
        HasWrites = false;
        foreach (var held in _held)
        {
            if (held.Original is { } original && !held.Deleted)
            {
                held.Saga.Version = original.Version;
                held.Changed = _rows.HasChanged(held.Saga, original);
                if (held.Changed)
                {
                    held.Saga.Version = original.Version + 1;
                }
            }

            HasWrites |= held.Original is null || held.Deleted || held.Changed;
        }
    }

    /// <summary>In the open transaction: deletes, then updates, then inserts, each against the row as it was read.</summary>
    public async Task WriteAsync(DbContext db, CancellationToken cancellationToken)
    {
        foreach (var held in _held)
        {
            if (held.Deleted)
            {
                await _rows.DeleteAsync(db, held.Original!, cancellationToken);
            }
        }

        foreach (var held in _held)
        {
            if (!held.Deleted && held.Changed)
            {
                await _rows.UpdateAsync(db, held.Saga, held.Original!, cancellationToken);
            }
        }

        foreach (var held in _held)
        {
            if (held.Original is null)
            {
                await _rows.InsertAsync(db, held.Saga, cancellationToken);
            }
        }
    }

    Held? Find(TSaga saga) => _held.Find(x => ReferenceEquals(x.Saga, saga));

    sealed record Held(TSaga Saga, TSaga? Original)
    {
        public bool Deleted { get; set; }

        public bool Changed { get; set; }
    }
}
