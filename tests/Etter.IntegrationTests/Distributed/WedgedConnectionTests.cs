using System.Reflection;
using System.Text.Json;
using Etter.IntegrationTests.Infrastructure;
using Etter.Messaging.Bus;
using Etter.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// The RabbitMQ.Client 7.2.2 shutdown stall that <see cref="WedgedConnectionWatchdog"/> frees, made on purpose on the
/// real broker: a channel's publisher-confirm lock is held and never given back (what a publish leaves behind when its
/// release fails on a channel disposed meanwhile), then the broker closes the connection. The channel's shutdown
/// handler waits for the lock with a token only the end of the close would cancel, so the close never ends.
/// </summary>
public sealed class WedgedConnectionTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task BrokerClosesAConnectionWhileAConfirmLockIsHeld_TheWatchdogFreesTheStuckClose()
    {
        var name = $"wedge-{Guid.NewGuid():N}";
        await using var connection = await ConnectAsync(name);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await HoldConfirmLockAsync(channel);

        // Subscribed after the channel's own handler, so it runs only once that one has returned.
        var shutdownSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, _) =>
        {
            shutdownSeen.TrySetResult();
            return Task.CompletedTask;
        };

        await CloseFromTheBrokerAsync(name);
        await WaitUntilAsync(() => connection.CloseReason is not null, "the broker's close to reach the client");

        // The stall itself: the close has begun but its handlers stop at the channel's.
        var stalled = await Task.WhenAny(shutdownSeen.Task, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.NotSame(shutdownSeen.Task, stalled);

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = new ServiceCollection().BuildServiceProvider();
        var watchdog = new WedgedConnectionWatchdog(services, time, NullLogger<WedgedConnectionWatchdog>.Instance);
        watchdog.Watch(connection);
        Assert.Equal(0, watchdog.FreeStuck());
        time.Advance(WedgedConnectionWatchdog.Grace - TimeSpan.FromSeconds(1));
        Assert.Equal(0, watchdog.FreeStuck());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, watchdog.FreeStuck());

        // Freed: the handlers after the channel's run, MassTransit's and its consumers' among them in a service.
        await shutdownSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(connection.IsOpen);

        // Once freed, the connection is forgotten, not freed again.
        time.Advance(WedgedConnectionWatchdog.Grace * 2);
        Assert.Equal(0, watchdog.FreeStuck());
    }

    [Fact]
    public async Task ConfirmLockDisposedUnderTheStuckHandler_TheWatchdogStillClosesTheOtherChannels()
    {
        var name = $"wedge-{Guid.NewGuid():N}";
        await using var connection = await ConnectAsync(name);
        await using var publishing = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var confirmLock = await HoldConfirmLockAsync(publishing);

        // A channel opened after the stuck one, as a receive endpoint's is: its close is what its consumer must hear.
        await using var consuming = await connection.CreateChannelAsync();
        var consumerChannelClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        consuming.ChannelShutdownAsync += (_, _) =>
        {
            consumerChannelClosed.TrySetResult();
            return Task.CompletedTask;
        };

        await CloseFromTheBrokerAsync(name);
        await WaitUntilAsync(() => connection.CloseReason is not null, "the broker's close to reach the client");
        var stalled = await Task.WhenAny(consumerChannelClosed.Task, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.NotSame(consumerChannelClosed.Task, stalled);

        // What MassTransit's dispose of the channel does to a handler already waiting: the lock is disposed under it, and
        // the waiter, dropped from the lock's queue, no longer listens to its token.
        confirmLock.Dispose();

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = new ServiceCollection().BuildServiceProvider();
        var watchdog = new WedgedConnectionWatchdog(services, time, NullLogger<WedgedConnectionWatchdog>.Instance);
        watchdog.Watch(connection);
        Assert.Equal(0, watchdog.FreeStuck());
        time.Advance(WedgedConnectionWatchdog.Grace);
        Assert.Equal(1, watchdog.FreeStuck());

        await consumerChannelClosed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(consuming.IsOpen);
    }

    Task<IConnection> ConnectAsync(string clientName) => ScratchBroker.ConnectAsync(_environment, factory =>
    {
        factory.ClientProvidedName = clientName;

        // As MassTransit connects.
        factory.AutomaticRecoveryEnabled = false;
    });

    /// <summary>Takes the channel's publisher-confirm lock and never gives it back, as a release failing on a disposed channel leaves it.</summary>
    static async Task<SemaphoreSlim> HoldConfirmLockAsync(IChannel channel)
    {
        var confirmLock = (SemaphoreSlim)channel.GetType().GetField("_confirmSemaphore", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(channel)!;
        await confirmLock.WaitAsync();
        return confirmLock;
    }

    /// <summary>As a node shutting down does: the broker sends connection.close, the client answers and closes.</summary>
    async Task CloseFromTheBrokerAsync(string clientName)
    {
        // The management API lists a connection once its statistics are first collected, a few seconds after it opened.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var connections = await _environment.ManagementGetAsync("vhosts/{vhost}/connections");
            var match = connections?.EnumerateArray().FirstOrDefault(c =>
                c.TryGetProperty("client_properties", out var client)
                && client.TryGetProperty("connection_name", out var given)
                && given.GetString() == clientName);
            if (match is { ValueKind: JsonValueKind.Object } found)
            {
                using var delete = await _environment.Management.DeleteAsync(new Uri($"connections/{Uri.EscapeDataString(found.GetProperty("name").GetString()!)}", UriKind.Relative));
                delete.EnsureSuccessStatusCode();
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the management API never listed the connection {clientName}");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
