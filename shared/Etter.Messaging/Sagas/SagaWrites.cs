using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>How the saga repository writes a unit of work's changes inside the transaction it opened.</summary>
internal static class SagaWrites
{
    /// <summary>
    /// Writes the tracked changes in the open transaction: as plain statements on an Etter context (EF Core's update
    /// pipeline cost more than the statements; see <see cref="Etter.Persistence.PlainWrites.PlainChangeWriter"/>),
    /// through <c>SaveChanges</c> on any other.
    /// </summary>
    /// <summary>Whether the context holds anything to write: tracked changes, or rows queued outside the tracker.</summary>
    public static bool HasWrites(DbContext db) => db.ChangeTracker.HasChanges() || db is EtterDbContext { HasUntracked: true };

    /// <summary>Forgets everything the context holds to write: the unit of work starts again or was undone.</summary>
    public static void Forget(DbContext db)
    {
        db.ChangeTracker.Clear();
        (db as EtterDbContext)?.DropUntracked();
    }

    public static async Task WriteAsync(DbContext db, bool acceptChanges, CancellationToken cancellationToken)
    {
        if (db is EtterDbContext etter)
        {
            await etter.WriteChangesAsync(acceptChanges, cancellationToken);
        }
        else
        {
            await db.SaveChangesAsync(acceptChanges, cancellationToken);
        }
    }
}
