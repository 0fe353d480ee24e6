using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

/// <summary>
/// Wakes every background worker that waits on it (the outbox relay, the admission controller) as soon as
/// a unit of work with outbox rows commits, so work moves on at once instead of at the next poll. Polling
/// remains for rows left by a crash or written by other instances.
/// </summary>
public sealed class OutboxSignal
{
    TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Arms a one-shot wake-up that fires when <paramref name="db"/> next saves successfully.</summary>
    public void NotifyAfterCommit(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.SavedChanges -= OnSaved;
        db.SavedChanges += OnSaved;
    }

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for the next commit, or the timeout; returns true when signalled.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _next).Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    void OnSaved(object? sender, SavedChangesEventArgs e)
    {
        if (sender is DbContext db)
        {
            db.SavedChanges -= OnSaved;
        }

        Notify();
    }
}
