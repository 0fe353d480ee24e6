using Etter.Messaging.Bus;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Etter.Shared.Tests.Messaging;

/// <summary>How many messages an endpoint of the embedded bus hands its consumers at once (<see cref="InMemoryBusOptions"/>).</summary>
public sealed class InMemoryBusOptionsTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EndpointWithTheDefaultLimit_HasSixtyFourMessagesUnderWayAtOnce()
    {
        var held = new Held(64);
        await using var services = Services(held, []);
        var bus = services.GetRequiredService<IBusControl>();
        using (var started = new CancellationTokenSource(Wait))
        {
            await bus.StartAsync(started.Token);
        }

        try
        {
            // Each consumer waits until all 64 are inside at once: that completes only if the endpoint lets 64 run together.
            await Task.WhenAll(Enumerable.Range(0, 64).Select(i => bus.Publish(new Waiting(i))));
            await held.AllInside.Task.WaitAsync(Wait);
            Assert.Equal(64, held.MostInside);
        }
        finally
        {
            held.Release.TrySetResult();
            await bus.StopAsync();
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void LimitOutOfRange_IsRefusedWhenTheBusIsConfigured(string limit)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Services(new Held(1), new() { ["Etter:InMemoryBus:ConcurrentMessageLimit"] = limit }));
        Assert.Contains("Etter:InMemoryBus", error.Message, StringComparison.Ordinal);
    }

    static ServiceProvider Services(Held held, Dictionary<string, string?> settings)
    {
        settings["Etter:Mode"] = "Embedded";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(held);
        services.AddEtterBus(configuration, bus => bus.AddConsumer<WaitingConsumer>());
        return services.BuildServiceProvider();
    }

    public sealed record Waiting(int Number);

    public sealed class Held(int expected)
    {
        int _inside;
        int _mostInside;

        public TaskCompletionSource AllInside { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int MostInside => Volatile.Read(ref _mostInside);

        public async Task EnterAsync()
        {
            var inside = Interlocked.Increment(ref _inside);
            int most;
            while (inside > (most = Volatile.Read(ref _mostInside)) && Interlocked.CompareExchange(ref _mostInside, inside, most) != most)
            {
            }

            if (inside == expected)
            {
                AllInside.TrySetResult();
            }

            await Release.Task;
            Interlocked.Decrement(ref _inside);
        }
    }

    public sealed class WaitingConsumer(Held held) : IConsumer<Waiting>
    {
        public Task Consume(ConsumeContext<Waiting> context) => held.EnterAsync();
    }
}
