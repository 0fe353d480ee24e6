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
