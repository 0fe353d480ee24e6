using System.Reflection;
using System.Runtime.CompilerServices;
using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Etter.Messaging.Bus;

/// <summary>
/// Frees a broker connection whose shutdown has stalled inside RabbitMQ.Client, so MassTransit learns it is gone and
/// connects again. Every <see cref="Interval"/> it notes the connection the bus uses and looks at every connection it
/// has noted; one that has been closing for longer than <see cref="Grace"/> without its receive loop ending gets that
/// loop's cancellation token cancelled.
/// </summary>
/// <remarks>
/// <para>
/// Why: in RabbitMQ.Client 7.2.2 (the newest served here) the receive loop runs the shutdown handlers of a closing
/// connection (the broker closed it, or <see cref="RejectedPublishRecovery"/> did) one after another, and a channel's handler waits for the channel's publisher-confirm lock with
/// the receive loop's own token, which is cancelled only once every handler has returned. When a publish held that lock
/// while MassTransit disposed the channel, the publish's release fails on the disposed lock and the handler waits for
/// ever: the loop stops reading and no later handler runs. MassTransit may have heard of the close already and send
/// on a new connection, but the receive endpoints whose channels belong to the stuck one never hear theirs closed and
/// never start again. Seen in the whole-broker-restart cluster test: the orchestrator's outbox drained after the
/// restart while its saga queue filled with no consumer for minutes (an async stack dump showed the loop parked in
/// <c>MaybeHandlePublisherConfirmationTcsOnChannelShutdownAsync</c>). The client's maintainers fixed this later
/// (rabbitmq-dotnet-client #1960: the token is cancelled before the handlers run); this does the same from outside,
/// and only for a connection that is already stuck.
/// </para>
/// <para>
/// Cancelling is what the client does itself when a close finishes: the waiting handler ends, the handlers after it
/// run (MassTransit's and its consumers' among them), and the loop finishes the close. The token lives in a private field, read by
/// reflection; RabbitMQ.Client is pinned (Directory.Packages.props), and <c>WedgedConnectionWatchdogTests</c> fails
/// first if an upgrade moves it. Should it move anyway, the watchdog says so once at start and stands aside.
/// </para>
/// </remarks>
public sealed class WedgedConnectionWatchdog(IServiceProvider services, TimeProvider time, ILogger<WedgedConnectionWatchdog> logger) : BackgroundService
{
    /// <summary>How often the bus's connection is looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a connection may take to finish closing before it counts as stuck. A close that is not stuck ends as
    /// soon as the handlers have run, in a second or two even on a busy machine; freeing one that was merely slow does
    /// no more than the end of the close would.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;
    static readonly Type? ConnectionType = typeof(IConnection).Assembly.GetType("RabbitMQ.Client.Framing.Connection");
    static readonly FieldInfo? MainLoopCancellation = ConnectionType?.GetField("_mainLoopCts", Instance);
    static readonly FieldInfo? MainLoopTask = ConnectionType?.GetField("_mainLoopTask", Instance);
    static readonly FieldInfo? Sessions = ConnectionType?.GetField("_sessionManager", Instance);
    static readonly FieldInfo? SessionMap = typeof(IConnection).Assembly.GetType("RabbitMQ.Client.Impl.SessionManager")?.GetField("_sessionMap", Instance);
    static readonly MethodInfo? CloseSession = typeof(IConnection).Assembly.GetType("RabbitMQ.Client.Impl.ISession")
        ?.GetMethod("CloseAsync", [typeof(ShutdownEventArgs), typeof(bool)]);

    /// <summary>
    /// Every connection the bus has used, with when it was first seen closing. Not only the current one: MassTransit
    /// may already have a new connection for its sends while receive endpoints still wait on channels of the stuck one.
    /// </summary>
    readonly ConditionalWeakTable<IConnection, StrongBox<DateTimeOffset?>> _seen = [];

    /// <summary>True when this RabbitMQ.Client keeps the receive loop's token and task where the watchdog looks.</summary>
    public static bool CanSeeInsideConnections =>
        MainLoopCancellation is not null && MainLoopTask is not null && Sessions is not null && SessionMap is not null && CloseSession is not null;

    /// <summary>Whether a connection seen closing since <paramref name="closingSince"/> counts as stuck at <paramref name="now"/>.</summary>
    public static bool IsStuck(DateTimeOffset closingSince, DateTimeOffset now, TimeSpan grace) => now - closingSince >= grace;

    /// <summary>Keeps an eye on <paramref name="connection"/> until it has finished closing.</summary>
    public void Watch(IConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // MassTransit's connections do not recover by themselves, so they are the client's plain connection type.
        if (ConnectionType?.IsInstanceOfType(connection) == true)
        {
            _seen.GetValue(connection, _ => new StrongBox<DateTimeOffset?>());
        }
    }

    /// <summary>
    /// Looks at every watched connection once: notes when each was first seen closing with its receive loop still
    /// running, frees the loop of those that have been so for <see cref="Grace"/>, and forgets those that finished.
    /// Returns how many it freed.
    /// </summary>
    public int FreeStuck()
    {
        var now = time.GetUtcNow();
        var freed = 0;
        foreach (var (connection, closingSince) in _seen.ToList())
        {
            if (MainLoopTask?.GetValue(connection) is not Task loop || loop.IsCompleted
                || MainLoopCancellation?.GetValue(connection) is not CancellationTokenSource cancellation)
            {
                _seen.Remove(connection);
                continue;
            }

            if (connection.CloseReason is null)
            {
                continue;
            }

            closingSince.Value ??= now;
            if (!IsStuck(closingSince.Value.Value, now, Grace))
            {
                continue;
            }

            logger.LogWarning(
                "The broker connection {Connection} has been closing for {Seconds:0} s ({Reason}) with its shutdown stuck inside RabbitMQ.Client; freeing it so its consumers reconnect",
                connection.ClientProvidedName, (now - closingSince.Value.Value).TotalSeconds, connection.CloseReason);
            _seen.Remove(connection);
            try
            {
                cancellation.Cancel();
                CloseRemainingChannels(connection, connection.CloseReason);
                freed++;
            }
            catch (ObjectDisposedException)
            {
                // Disposed means the connection finished closing after all.
            }
        }

        return freed;
    }

    /// <summary>
    /// Closes the channels the stuck loop has not reached yet, as the loop would have: each channel's shutdown handlers
    /// run, MassTransit's among them, so its consumers start again.
    /// </summary>
    /// <remarks>
    /// Cancelling the loop's token is not always enough. When MassTransit disposed the channel after its handler had
    /// started waiting for the confirm lock, the lock's disposal dropped the waiter from its queue, and SemaphoreSlim
    /// then waits for a release that can never come, whatever the token (a dump of a stalled orchestrator showed
    /// exactly this: the token cancelled, the lock disposed with no waiters listed, the handler still waiting). The
    /// loop stays stuck, so the channels after that one would never hear of the close. A channel the loop reaches
    /// after all is closed twice, which its handlers take as the same close.
    /// </remarks>
    static void CloseRemainingChannels(IConnection connection, ShutdownEventArgs? reason)
    {
        if (reason is null || Sessions?.GetValue(connection) is not { } sessions || SessionMap?.GetValue(sessions) is not System.Collections.IDictionary map)
        {
            return;
        }

        List<object> open;
        lock (map)
        {
            open = [.. map.Values.Cast<object>()];
        }

        foreach (var session in open)
        {
            try
            {
                if (CloseSession?.Invoke(session, [reason, true]) is Task closing)
                {
                    _ = closing.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
            catch (TargetInvocationException)
            {
                // One channel failing to close must not keep the others from closing.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!CanSeeInsideConnections)
        {
            logger.LogError("RabbitMQ.Client {Version} keeps its receive loop elsewhere; a connection whose shutdown gets stuck will not be freed. See WedgedConnectionWatchdog.",
                typeof(IConnection).Assembly.GetName().Version);
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (services.GetService<IBusInstance>()?.HostConfiguration is IRabbitMqHostConfiguration host)
            {
                await WatchCurrentAsync(host, stoppingToken);
            }

            FreeStuck();
        }
    }

    async Task WatchCurrentAsync(IRabbitMqHostConfiguration host, CancellationToken stoppingToken)
    {
        // Bounded: with no connection the supervisor would wait for one; there is nothing new to watch then.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(Interval);
        try
        {
            await host.ConnectionContextSupervisor.Send(Pipe.Execute<ConnectionContext>(context => Watch(context.Connection)), wait.Token);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            // No connection right now (the broker is away, or one is being made): the next tick looks again.
        }
    }
}
