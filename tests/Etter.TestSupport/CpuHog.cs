namespace Etter.TestSupport;

/// <summary>
/// Keeps every core busy with plain busy loops, as a crowded machine would, so that a test sees the services
/// starved for CPU. Bounded twice: it stops when disposed, and on its own after <c>maxDuration</c>, so a test
/// that dies before disposing it cannot leave the machine busy.
/// </summary>
public sealed class CpuHog : IDisposable
{
    readonly CancellationTokenSource _stop;
    readonly Thread[] _threads;
    int _disposed;

    public CpuHog(TimeSpan maxDuration, int? threads = null)
    {
        _stop = new CancellationTokenSource(maxDuration);
        var token = _stop.Token;
        _threads = [.. Enumerable.Range(0, threads ?? Environment.ProcessorCount).Select(i => new Thread(() => Spin(token))
        {
            IsBackground = true,
            Name = $"cpu-hog-{i}",
        })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public int Threads => _threads.Length;

    static void Spin(CancellationToken token)
    {
        var x = 0UL;
        while (!token.IsCancellationRequested)
        {
            for (var i = 0; i < 100_000; i++)
            {
                x = (x * 6364136223846793005UL) + 1442695040888963407UL;
            }
        }

        GC.KeepAlive(x);
    }

    /// <summary>Stops the loops; safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _stop.Dispose();
    }
}
