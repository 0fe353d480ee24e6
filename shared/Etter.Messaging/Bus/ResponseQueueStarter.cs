using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Etter.Messaging.Bus;

/// <summary>
/// Starts the bus's own queue, where answers to requests arrive, when the host starts rather than on the first
/// request.
/// </summary>
/// <remarks>
/// MassTransit starts consuming that queue only once something is connected to it, and each request made before it
/// runs waits for it synchronously, holding a thread-pool thread. A burst of requests to a freshly started process
/// therefore held every pool thread while the start itself waited for one: 64 pushes to a new API on two cores all
/// took about 14 s, the time the pool took to grow past them. Connecting a pipe that no answer matches (its request
/// id is new and never sent) makes the queue start with the host, so requests find it running.
/// </remarks>
public sealed partial class ResponseQueueStarter(IBus bus, ILogger<ResponseQueueStarter> logger) : IHostedService
{
    /// <summary>
    /// How long the host's start waits for the queue. A broker lost right after the bus started would otherwise hold
    /// the start forever; past this the host starts anyway and the first request waits for the queue as it used to.
    /// </summary>
    static readonly TimeSpan StartWait = TimeSpan.FromSeconds(30);

    Task<ConnectHandle>? _connect;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The connect blocks its thread until the queue has started, so it runs on one of its own.
        _connect = Task.Run(() => bus.ConnectRequestPipe(NewId.NextGuid(), Pipe.Empty<ConsumeContext<ResponseQueueProbe>>()), CancellationToken.None);
        try
        {
            await _connect.WaitAsync(StartWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogNotStarted(logger, StartWait.TotalSeconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_connect is { IsCompletedSuccessfully: true })
        {
            _connect.Result.Disconnect();
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bus's response queue had not started after {Seconds} s; the first requests will wait for it.")]
    static partial void LogNotStarted(ILogger logger, double seconds);

    /// <summary>A type no message ever has; the pipe is connected for its side effect only.</summary>
    sealed record ResponseQueueProbe;
}

public static class ResponseQueueStarterExtensions
{
    /// <summary>For hosts that make requests over the bus: the queue their answers arrive on starts with the host.</summary>
    public static IServiceCollection AddResponseQueueAtStart(this IServiceCollection services)
    {
        services.AddHostedService<ResponseQueueStarter>();
        return services;
    }
}
