using Etter.Persistence.PlainWrites;
using Etter.Persistence.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Persistence;

/// <summary>
/// Base of every Etter database context. Contexts are pooled (<see cref="DbContextRegistrationExtensions"/>), and a pooled
/// context ending its lease must hand back the SQLite file it may still hold: a connection opened by hand stays open
/// across leases, so no close event would.
/// </summary>
public abstract class EtterDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The lease of this pooled context whose next save was prepared by <see cref="PrepareSave"/>; -1 for none.</summary>
    int _preparedLease = -1;

    /// <summary>New rows for the next write, outside the change tracker, and the lease they were added in.</summary>
    readonly List<UntrackedRow> _untracked = [];
    int _untrackedLease = -1;

    /// <summary>
    /// Plain writes held back to be sent as one batch (<see cref="HoldWrites"/>), and the lease and transaction they belong to:
    /// a unit of work that failed before sending them leaves them behind, and the next one must not write into them.
    /// </summary>
    PlainWriteBatch? _held;
    int _heldLease = -1;
    IDbContextTransaction? _heldIn;

    /// <summary>Whether rows added by <see cref="AddUntracked{TEntity}"/> in this lease wait for the next write.</summary>
    public bool HasUntracked => _untrackedLease == ContextId.Lease && _untracked.Count > 0;

    /// <summary>
    /// Queues a new row to be inserted by this context's next write, without tracking it: for rows that are only ever
    /// inserted (outbox rows), where tracking cost more than the insert (an entry, snapshots and a state change per row,
    /// about 4 % of embedded CPU with the change detection that followed). <see cref="WriteChangesAsync"/> in a transaction
    /// inserts them as plain statements after the tracked changes, in the order they were added, reading back keys the
    /// database assigns; any other save tracks them first, so no way of saving leaves them behind. They belong to this
    /// lease: <see cref="DropUntracked"/> (a unit of work starting again) or the next lease drops them unwritten.
    /// </summary>
    public void AddUntracked<TEntity>(TEntity row)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(row);
        if (PlainRows<TEntity>.For(this) is not { } rows)
        {
            Add(row);
            return;
        }

        if (_untrackedLease != ContextId.Lease)
        {
            _untracked.Clear();
            _untrackedLease = ContextId.Lease;
        }

        _untracked.Add(new UntrackedRow(row, (db, ct) => rows.InsertAsync(db, row, ct)));
    }

    /// <summary>
    /// Forgets the rows queued by <see cref="AddUntracked{TEntity}"/> and the writes held back by <see cref="HoldWrites"/>:
    /// the unit of work that made them was rolled back.
    /// </summary>
    public void DropUntracked()
    {
        _untracked.Clear();
        StopHolding();
    }

    /// <summary>
    /// From now until <see cref="SendHeldWritesAsync"/> (or <see cref="SendHeldWritesAndCommitAsync"/>), plain writes in the
    /// open transaction are held back and then sent together, in the order they were made, as one batch
    /// (<see cref="PlainWriteBatch"/>): on PostgreSQL, one round trip for a unit of work's rows. False, changing nothing,
    /// when the provider has no batches (SQLite), no transaction is open or writes are held already; the writes then run
    /// as they are made.
    /// </summary>
    /// <param name="toCommit">
    /// The batch is to carry the transaction's commit: its updates and deletes are written so that one matching no row
    /// fails inside the batch, before the commit, instead of being counted after it.
    /// </param>
    /// <remarks>Nothing may read what the held writes change before they are sent: until then the database has not seen them.</remarks>
    public bool HoldWrites(bool toCommit = false)
    {
        if (HeldWrites is not null || !PlainWriteBatch.Takes(this))
        {
            return false;
        }

        _held = new PlainWriteBatch(guarded: toCommit);
        _heldLease = ContextId.Lease;
        _heldIn = Database.CurrentTransaction;
        return true;
    }

    /// <summary>Sends the writes held back since <see cref="HoldWrites"/> as one batch and stops holding them.</summary>
    public Task SendHeldWritesAsync(CancellationToken cancellationToken)
    {
        var held = HeldWrites;
        StopHolding();
        return held?.SendAsync(this, commit: false, cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary>
    /// Sends the writes held back since <see cref="HoldWrites"/>(<c>toCommit: true</c>) as one batch with the transaction's
    /// COMMIT at its end. True when that committed the transaction: the caller then disposes of it without committing it
    /// again. False when there was nothing to send; the transaction is open and the caller commits it as usual.
    /// </summary>
    public Task<bool> SendHeldWritesAndCommitAsync(CancellationToken cancellationToken)
    {
        var held = HeldWrites;
        StopHolding();
        return held?.SendAsync(this, commit: true, cancellationToken) ?? Task.FromResult(false);
    }

    void StopHolding()
    {
        _held = null;
        _heldIn = null;
    }

    /// <summary>
    /// Runs a write statement given as an interpolated string (its values become parameters), or, while writes are held
    /// back (<see cref="HoldWrites"/>), holds it with them to go in their batch. Its row count is not checked either way.
    /// </summary>
    public async Task WriteSqlAsync(FormattableString sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (HeldWrites is not { } held)
        {
            await Database.ExecuteSqlAsync(sql, cancellationToken);
            return;
        }

        // PostgreSQL's own placeholders, by position, for the interpolated values.
        var values = sql.GetArguments();
        var placeholders = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            placeholders[i] = "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        held.AddSql(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql.Format, placeholders), values, "statement");
    }

    /// <summary>Where plain writes go while they are held back; null when they run as they are made.</summary>
    internal PlainWriteBatch? HeldWrites => _heldLease == ContextId.Lease && ReferenceEquals(_heldIn, Database.CurrentTransaction) ? _held : null;

    /// <summary>
    /// Does what the next save can work out before its transaction is opened: detects the changes and fills the columns
    /// derived from them. That save then does neither, so nothing may change a tracked entity in between (the saga
    /// repository's write, on SQLite, where the transaction holds the file). Counts for one save, in this lease only.
    /// </summary>
    public void PrepareSave()
    {
        ChangeTracker.DetectChanges();
        FillDerivedColumns();
        _preparedLease = ContextId.Lease;
    }

    /// <summary>
    /// Writes the tracked changes in the open transaction: as plain statements where <see cref="PlainChangeWriter"/> takes
    /// every entity's shape, through EF Core's <c>SaveChanges</c> otherwise. Unlike <c>SaveChanges</c> it raises no save
    /// events, so whoever commits hands the outbox rows off itself.
    /// </summary>
    /// <param name="acceptChanges">False when the caller accepts the changes itself, once the transaction is committed.</param>
    public async Task WriteChangesAsync(bool acceptChanges, CancellationToken cancellationToken)
    {
        DetectAndFillUnlessPrepared();

        // Detected once above: left on, every look at the tracker (the writer's, EF Core's save) walks every entity again.
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;

        // One batch for this save's rows unless a caller holds writes for a larger unit already; accepted changes need
        // their keys read back, so a caller's held writes go first then.
        var holding = HoldWrites();
        try
        {
            if (!await PlainChangeWriter.TryWriteAsync(this, cancellationToken))
            {
                // EF Core's save runs at once: what was held back goes first, as it was written first.
                await SendHeldWritesAsync(cancellationToken);
                TrackUntracked();
                await base.SaveChangesAsync(acceptChanges, cancellationToken);
            }
            else
            {
                await WriteUntrackedAsync(cancellationToken);
                if (holding || acceptChanges)
                {
                    await SendHeldWritesAsync(cancellationToken);
                }

                if (acceptChanges)
                {
                    ChangeTracker.AcceptAllChanges();
                }
            }
        }
        catch when (holding)
        {
            StopHolding();
            throw;
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        TrackUntracked();
        DetectAndFillUnlessPrepared();
        SaveInATransactionOnSqlite();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        TrackUntracked();
        DetectAndFillUnlessPrepared();
        SaveInATransactionOnSqlite();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// On SQLite a save of one row opens a transaction too, so that it queues at the file's gate and commits with the
    /// file's group (<see cref="SqliteWriteGroup"/>). EF Core would run it bare, as <c>INSERT ... RETURNING</c>, which waits
    /// on SQLite's lock, held by the group nearly all the time under load, and gave up after the 30 s busy timeout.
    /// </summary>
    void SaveInATransactionOnSqlite()
    {
        if (Database.AutoTransactionBehavior == AutoTransactionBehavior.WhenNeeded && this.RunsOnSqlite())
        {
            Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }
    }

    /// <summary>A save that is not a plain write takes the queued rows into the tracker, as if they had been added there.</summary>
    void TrackUntracked()
    {
        if (HasUntracked)
        {
            foreach (var row in _untracked)
            {
                Add(row.Entity);
            }
        }

        _untracked.Clear();
    }

    /// <summary>Inserts the queued rows; once written they are no longer queued (a rolled-back unit of work adds them again).</summary>
    async Task WriteUntrackedAsync(CancellationToken cancellationToken)
    {
        if (!HasUntracked)
        {
            _untracked.Clear();
            return;
        }

        foreach (var row in _untracked)
        {
            await row.InsertAsync(this, cancellationToken);
        }

        _untracked.Clear();
    }

    /// <summary>
    /// How the value of <paramref name="shadowProperty"/> (a column without a CLR property) is worked out from its entity,
    /// for rows written without the change tracker (<see cref="PlainWrites.PlainRows{TEntity}"/>); null when this context does
    /// not derive it. The function must depend on the entity alone: it is kept for the model, not for this context.
    /// </summary>
    protected internal virtual Func<object, object?>? DerivedValueOf(Microsoft.EntityFrameworkCore.Metadata.IProperty shadowProperty) => null;

    /// <summary>Fills the columns a subclass derives from its added and modified entities; the changes are detected already.</summary>
    protected virtual void FillDerivedColumns()
    {
    }

    void DetectAndFillUnlessPrepared()
    {
        var prepared = _preparedLease == ContextId.Lease;
        _preparedLease = -1;
        if (!prepared)
        {
            ChangeTracker.DetectChanges();
            FillDerivedColumns();
        }
    }

    public override void Dispose()
    {
        SqliteWriteGate.Release(this);
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    public override ValueTask DisposeAsync()
    {
        SqliteWriteGate.Release(this);
        GC.SuppressFinalize(this);
        return base.DisposeAsync();
    }

    readonly record struct UntrackedRow(object Entity, Func<DbContext, CancellationToken, Task> InsertAsync);
}
