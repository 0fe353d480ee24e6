using Microsoft.EntityFrameworkCore;

namespace Etter.BuildingBlocks.Persistence.Outbox;

/// <summary>
/// Wakes the relay as soon as a unit of work with outbox rows commits, so delivery is immediate rather than
/// waiting for the next poll. Polling remains for rows left by a crash or written by other instances.
/// </summary>
public sealed class OutboxSignal
{
    readonly SemaphoreSlim _pending = new(0, 1);

    /// <summary>Arms a one-shot wake-up that fires when <paramref name="db"/> next saves successfully.</summary>
    public void NotifyAfterCommit(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.SavedChanges -= OnSaved;
        db.SavedChanges += OnSaved;
    }

    public void Notify()
    {
        if (_pending.CurrentCount == 0)
        {
            try
            {
                _pending.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled; one wake-up drains everything.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);

    void OnSaved(object? sender, SavedChangesEventArgs e)
    {
        if (sender is DbContext db)
        {
            db.SavedChanges -= OnSaved;
        }

        Notify();
    }
}
