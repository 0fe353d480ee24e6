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
