using Etter.Messaging.Bus;
using MassTransit;
using RabbitMQ.Client.Exceptions;

namespace Etter.Shared.Tests.Messaging;

public sealed class BrokerReconnectPolicyTests
{
    [Fact]
    public void AppliedToARabbitMqBus_IsThePolicyTheBusReconnectsWith()
    {
        var ours = BrokerReconnectPolicy.Create(TimeSpan.FromSeconds(2));
        IRetryPolicy? before = null;
        IRetryPolicy? after = null;

        // Building the bus connects to nothing; only starting it would.
        Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", 1, "/", h =>
            {
                h.Username("nobody");
                h.Password("nothing");
            });
            before = BrokerReconnectPolicy.Current(cfg);
            BrokerReconnectPolicy.Apply(cfg, ours);
            after = BrokerReconnectPolicy.Current(cfg);
        });

        Assert.NotNull(before);
        Assert.NotSame(ours, before);
        Assert.Same(ours, after);
    }

    [Fact]
    public void AnyFailureButRefusedCredentials_IsRetriedSoNoEndpointStopsForGood()
    {
        var policy = BrokerReconnectPolicy.Create(TimeSpan.FromSeconds(2));

        Assert.True(policy.IsHandled(new AlreadyClosedException(new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Peer, 320, "CONNECTION_FORCED"))));
        Assert.True(policy.IsHandled(new EndOfStreamException()));
        Assert.True(policy.IsHandled(new RabbitMqConnectionException("node down")));
        Assert.False(policy.IsHandled(new AuthenticationFailureException("bad password")));
        Assert.True(policy.IsHandled(new OperationInterruptedException(new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Peer, 404, "NOT_FOUND - queue not available"))));
        Assert.True(policy.IsHandled(new TimeoutException("queue.declare took too long")));
        Assert.True(policy.IsHandled(new InvalidOperationException("anything else")));
    }
}
