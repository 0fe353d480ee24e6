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
