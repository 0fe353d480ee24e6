using Etter.Contracts;
using Etter.Messaging.Bus;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Shared.Tests.Messaging;

/// <summary>
/// A publish whose broker confirm never comes must fail within its deadline instead of parking the caller.
/// The stalled confirm is played by a publish filter that waits on the send's cancellation token, which is
/// exactly what MassTransit's RabbitMQ transport does while a confirm is outstanding.
/// </summary>
public sealed class BoundedBrokerWritesTests
{
    static readonly TimeSpan ShortDeadline = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task PublishWhoseConfirmNeverComes_FailsWithBrokerWriteTimeout()
    {
        await using var provider = BuildBus(stallPublishes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<BrokerWriteTimeoutException>(() =>
            BoundedBrokerWrites.WithDeadlineAsync(token => harness.Bus.Publish(Heartbeat(), token), ShortDeadline, CancellationToken.None));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the deadline did not cut the publish off");
        Assert.False(await harness.Published.Any<AiAssessmentHeartbeat>(), "a stalled publish must not count as delivered");
    }

    [Fact]
    public async Task HealthyPublish_CompletesWithinTheDeadline()
    {
        await using var provider = BuildBus(stallPublishes: false);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var message = Heartbeat();

        await harness.Bus.PublishBoundedAsync(message);

        Assert.True(await harness.Published.Any<AiAssessmentHeartbeat>(m => m.Context.Message.WorkflowId == message.WorkflowId));
    }

    [Fact]
    public async Task CallerCancelsFirst_StaysACancellationNotATimeout()
    {
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BoundedBrokerWrites.WithDeadlineAsync(token => Task.Delay(Timeout.Infinite, token), TimeSpan.FromMinutes(1), caller.Token));

        Assert.IsNotType<BrokerWriteTimeoutException>(error);
    }

    [Fact]
    public async Task WriteFailingOnItsOwn_KeepsItsException()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            BoundedBrokerWrites.WithDeadlineAsync(_ => throw new InvalidOperationException("channel closed"), TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Equal("channel closed", error.Message);
    }

    static AiAssessmentHeartbeat Heartbeat() => new() { WorkflowId = Guid.NewGuid(), Attempt = 1, At = DateTimeOffset.UtcNow };

    static ServiceProvider BuildBus(bool stallPublishes) =>
        new ServiceCollection()
            .AddMassTransitTestHarness(bus => bus.UsingInMemory((context, cfg) =>
            {
                if (stallPublishes)
                {
                    cfg.ConfigurePublish(publish => publish.UseFilter(new ConfirmNeverArrives()));
                }

                cfg.ConfigureEndpoints(context);
            }))
            .BuildServiceProvider(true);

    sealed class ConfirmNeverArrives : IFilter<PublishContext>
    {
        public Task Send(PublishContext context, IPipe<PublishContext> next) => Task.Delay(Timeout.Infinite, context.CancellationToken);

        public void Probe(ProbeContext context) => context.CreateFilterScope("confirm-never-arrives");
    }
}
