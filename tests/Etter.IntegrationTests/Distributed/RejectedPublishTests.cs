using Etter.IntegrationTests.Infrastructure;
using Etter.Messaging.Bus;
using Etter.TestSupport;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;
using BrokerPublishException = RabbitMQ.Client.Exceptions.PublishException;

namespace Etter.IntegrationTests.Distributed;

/// <summary>A message the broker rejects at once: the exchange it goes to feeds a queue that refuses every message.</summary>
public sealed record RejectedProbe(string Text);

/// <summary>
/// The bus as every service builds it (<c>AddEtterBus</c>), on the real broker, where a publish and a send are nacked
/// deterministically: their exchanges feed a queue of length 0 that rejects what overflows it. The failure has to reach
/// <see cref="RejectedPublishRecovery"/> on both paths; MassTransit reports a publish's faults to publish observers and a
/// send's to send observers only.
/// </summary>
public sealed class RejectedPublishTests : IAsyncLifetime
{
    const string RejectingQueue = "rejects-everything";
    const string SendExchange = "rejects-everything-send";

    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BrokerNacksAWrite_TheRecoveryClaimsAReconnect(bool publish)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(_environment.ServiceConfiguration())
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();

        // The recovery's clock stands still, so every rejection after the first falls inside its cooldown however long
        // the broker and the bus's stop take: on the real clock the cooldown could run out before the check below.
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddEtterBus(configuration, _ => { });
        await using var provider = services.BuildServiceProvider();
        await DeclareRejectingTopologyAsync(new RabbitMqMessageNameFormatter().GetMessageName(typeof(RejectedProbe)).ToString());

        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            // The host's send retry tries again and again; the deadline ends the write once the broker has said no.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var write = publish
                ? bus.Publish(new RejectedProbe("x"), deadline.Token)
                : (await bus.GetSendEndpoint(new Uri($"exchange:{SendExchange}"))).Send(new RejectedProbe("x"), deadline.Token);
            await Assert.ThrowsAnyAsync<Exception>(() => write);
        }
        finally
        {
            await bus.StopAsync();
        }

        // The rejection claimed the reconnect, so no other may start within the cooldown.
        var recovery = provider.GetRequiredService<RejectedPublishRecovery>();
        Assert.False(recovery.ShouldReconnect(new BrokerPublishException(1, isReturn: false)));
    }

    async Task DeclareRejectingTopologyAsync(string publishExchange)
    {
        await using var connection = await ScratchBroker.ConnectAsync(_environment);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(RejectingQueue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-max-length"] = 0,
            ["x-overflow"] = "reject-publish",
        });
        foreach (var exchange in new[] { publishExchange, SendExchange })
        {
            // Declared as MassTransit declares them, so its own declaration later agrees.
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(RejectingQueue, exchange, "");
        }
    }
}
