using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using BrokerPublishException = RabbitMQ.Client.Exceptions.PublishException;

namespace Etter.Messaging.Bus;

/// <summary>
/// Replaces the process's broker connection when RabbitMQ rejects a publish (basic.nack), at most once per
/// <see cref="Cooldown"/>, so the next write goes out on new channels.
/// </summary>
/// <remarks>
/// <para>
/// Why: a RabbitMQ 3.10 channel learns a quorum queue's leader from the queue's record the first time it publishes to
/// it. If that record still names a node that has died (in the moments before a new leader is recorded, or for as long
/// as the queue has no quorum), the channel's registration call to that node fails, the publish is rejected, and every
/// later publish to that queue on that channel is rejected the same way, long after a new leader was elected. A new
/// channel is accepted at once. MassTransit 8.5 keeps using a channel after a rejected publish, so without this the API
/// refused every push (503) until its connection happened to drop: the cluster failover test's stalls. Reproduced with
/// a bare client: kill two of three nodes, publish (rejected), bring one back, and the same channel is still refused
/// while a new one is accepted.
/// </para>
/// <para>
/// MassTransit offers no way to retire one channel, so the connection goes: it owns every channel of the process, and
/// MassTransit reconnects and opens new ones. The cost is what any dropped connection costs here, and what the services
/// are built for: unacknowledged deliveries come again (inbox and saga versions make them harmless), and answers to
/// requests in flight are lost (the API reports those pushes as of unknown fate). While a queue has no quorum every
/// publish to it is rejected; the cooldown keeps that to one reconnect per <see cref="Cooldown"/>.
/// </para>
/// </remarks>
public sealed class RejectedPublishRecovery(IServiceProvider services, TimeProvider time, ILogger<RejectedPublishRecovery> logger) : ISendObserver, IPublishObserver
{
    /// <summary>The least time between two reconnects: long enough not to churn during an outage, short enough to recover soon after it.</summary>
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(5);

    readonly Lock _gate = new();
    DateTimeOffset? _lastReconnect;

    /// <summary>True when <paramref name="exception"/> (or one it wraps) is the broker refusing a publish; a returned (unroutable) message is not.</summary>
    public static bool IsRejectedPublish(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BrokerPublishException { IsReturn: false })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a reconnect may start at <paramref name="now"/>, the last one having started at <paramref name="last"/>.</summary>
    public static bool IsDue(DateTimeOffset? last, DateTimeOffset now, TimeSpan cooldown) => last is not { } at || now - at >= cooldown;

    public Task PreSend<T>(SendContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context)
        where T : class => Task.CompletedTask;

    public Task SendFault<T>(SendContext<T> context, Exception exception)
        where T : class
    {
        if (ShouldReconnect(exception))
        {
            // Not awaited: the sender gets its failure now and retries on its own schedule; the close runs meanwhile.
            _ = ReconnectAsync(context.DestinationAddress);
        }

        return Task.CompletedTask;
    }

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    // Publishing reports its faults to publish observers only; sends to send observers only.
    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => SendFault(context, exception);

    /// <summary>True for a rejected publish when no reconnect started within the last <see cref="Cooldown"/>; claims the reconnect.</summary>
    public bool ShouldReconnect(Exception exception) => IsRejectedPublish(exception) && TryClaim();

    bool TryClaim()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!IsDue(_lastReconnect, now, Cooldown))
            {
                return false;
            }

            _lastReconnect = now;
            return true;
        }
    }

    async Task ReconnectAsync(Uri? destination)
    {
        try
        {
            // Resolved here, not in the constructor: observers are built while the bus itself is being built.
            if (services.GetService<IBusInstance>()?.HostConfiguration is not IRabbitMqHostConfiguration host)
            {
                return;
            }

            logger.LogWarning("The broker rejected a publish to {Destination}; reconnecting so the next writes go out on new channels", destination);

            // Bounded: with the broker gone, the supervisor would wait for a connection only to close it.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.ConnectionContextSupervisor.Send(
                Pipe.ExecuteAsync<ConnectionContext>(connection => connection.Connection.CloseAsync(
                    Constants.ReplySuccess, "Etter: a publish was rejected; reopening the channels")),
                timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection may already be gone, which serves the purpose as well.
            logger.LogInformation(ex, "Closing the broker connection after a rejected publish did not complete");
        }
    }
}
