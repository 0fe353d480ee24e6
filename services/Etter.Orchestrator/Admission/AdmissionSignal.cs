namespace Etter.Orchestrator.Admission;

/// <summary>
/// Wakes the admission controller when a company slot is given back, so a waiting workflow moves up at once rather
/// than at the next poll. Early wake-ups are harmless: the controller looks again.
/// </summary>
public sealed class AdmissionSignal
{
    TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void SlotFreed() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for the next freed slot, or the timeout; returns true when signalled.</summary>
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
}
