namespace Etter.AiAssessment.Engines.Llm;

/// <summary>Invokes a heartbeat every interval while some work runs, and stops as soon as it ends.</summary>
internal static class LlmHeartbeat
{
    public static async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<T>> work,
        Func<CancellationToken, Task>? heartbeat,
        TimeSpan interval,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (heartbeat is null)
        {
            return await work(cancellationToken);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The timer is created before the work starts, so the first beat is due one interval from now.
        var beating = BeatAsync(heartbeat, interval, time, logger, stop.Token);
        try
        {
            return await work(cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await beating;
        }
    }

    static async Task BeatAsync(Func<CancellationToken, Task> heartbeat, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await heartbeat(stop);
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    // A failed heartbeat must not abort a call that is otherwise going well.
                    logger.LogWarning(ex, "Assessment heartbeat failed; the call continues.");
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The work finished (or was cancelled): no more beats.
        }
    }
}
