using Etter.Persistence.PlainWrites;
using Etter.Persistence.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Etter.Persistence;

/// <summary>
/// Base of every Etter database context. Contexts are pooled (<see cref="DbContextRegistrationExtensions"/>), and a pooled
/// context ending its lease must hand back the SQLite file it may still hold: a connection opened by hand stays open
/// across leases, so no close event would.
/// </summary>
public abstract class EtterDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>
    /// Does what the next save can work out before its transaction is opened: detects the changes, and in a subclass fills
    /// columns derived from them. The caller then saves without detecting changes again, so nothing may change a tracked
    /// entity in between (the saga repository's write, on SQLite, where the transaction holds the file).
    /// </summary>
    public virtual void PrepareSave() => ChangeTracker.DetectChanges();

    /// <summary>
    /// Writes the tracked changes in the open transaction: as plain statements where <see cref="PlainChangeWriter"/> takes
    /// every entity's shape, through EF Core's <c>SaveChanges</c> otherwise. Unlike <c>SaveChanges</c> it raises no save
    /// events, so whoever commits hands the outbox rows off itself.
    /// </summary>
    /// <param name="acceptChanges">False when the caller accepts the changes itself, once the transaction is committed.</param>
    public async Task WriteChangesAsync(bool acceptChanges, CancellationToken cancellationToken)
    {
        DetectChangesBeforeWrite();

        // Detected once above: left on, every look at the tracker (the writer's, EF Core's save) walks every entity again.
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            if (!await PlainChangeWriter.TryWriteAsync(this, cancellationToken))
            {
                await base.SaveChangesAsync(acceptChanges, cancellationToken);
            }
            else if (acceptChanges)
            {
                ChangeTracker.AcceptAllChanges();
            }
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>Fills what a save derives from the changes (a subclass's computed columns); runs before every save.</summary>
    protected virtual void BeforeSave()
    {
    }

    /// <summary>Before a plain write: <see cref="BeforeSave"/>, then the changes detected (a subclass whose
    /// <see cref="BeforeSave"/> detects them already says so by overriding this).</summary>
    protected virtual void DetectChangesBeforeWrite()
    {
        BeforeSave();
        ChangeTracker.DetectChanges();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BeforeSave();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BeforeSave();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
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
}
