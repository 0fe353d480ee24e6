using Microsoft.Extensions.Hosting;

namespace Etter.TestSupport;

/// <summary>
/// Stands in for the host's lifetime when tests run services without a host: reports "started" at once,
/// which is what the outbox relay and deadline sweeper wait for before sending.
/// </summary>
public sealed class StartedLifetime : IHostApplicationLifetime, IDisposable
{
    readonly CancellationTokenSource _stopping = new();

    public CancellationToken ApplicationStarted => new(canceled: true);

    public CancellationToken ApplicationStopping => _stopping.Token;

    public CancellationToken ApplicationStopped => _stopping.Token;

    public void StopApplication() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
