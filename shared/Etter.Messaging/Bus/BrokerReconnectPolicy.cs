using System.Reflection;
using MassTransit;
using RabbitMQ.Client.Exceptions;

namespace Etter.Messaging.Bus;

/// <summary>
/// How often the RabbitMQ transport tries again after losing its connection. MassTransit 8.5 retries with an
/// exponential backoff of 3, 6, 12 and 24 s, then every 30 s, and offers no setting for it. After an outage of half a
/// minute (a broker restart) the next attempt came up to 30 s after the broker was back, and every consumer sat idle
/// until then: the cluster tests measured 38 s without a finished workflow after a full restart. This policy backs
/// off from 1 s to <see cref="RabbitMqOptions.ReconnectMaxInterval"/> and never gives up (MassTransit's stops after
/// 1,000 attempts). Unlike MassTransit's, it retries after any failure but refused credentials: MassTransit stops a
/// receive endpoint for good on an exception its policy does not list (one log line, "Cannot Retry"), and the service
/// then looks healthy while that queue fills.
/// </summary>
/// <remarks>
/// MassTransit keeps the policy in a get-only property of its host configuration, set in the constructor, so it is
/// replaced by reflection. MassTransit is pinned to one version (Directory.Packages.props); should its internals move,
/// <see cref="Apply"/> fails the start with this explanation, and <c>BrokerReconnectPolicyTests</c> fails first.
/// </remarks>
public static class BrokerReconnectPolicy
{
    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    public static IRetryPolicy Create(TimeSpan maxInterval) => Retry.CreatePolicy(policy =>
    {
        // No Handle<...>: every exception is retried except those ignored.
        policy.Ignore<AuthenticationFailureException>();
        var first = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, maxInterval.Ticks));
        policy.Exponential(int.MaxValue, first, maxInterval, first);
    });

    /// <summary>Makes the bus that <paramref name="configurator"/> builds reconnect with <paramref name="policy"/>.</summary>
    public static void Apply(IRabbitMqBusFactoryConfigurator configurator, IRetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(policy);
        var host = configurator.GetType().GetField("_hostConfiguration", Instance)?.GetValue(configurator)
            ?? throw Moved($"{configurator.GetType().Name}._hostConfiguration");
        var field = host.GetType().GetField("<ReceiveTransportRetryPolicy>k__BackingField", Instance)
            ?? throw Moved($"{host.GetType().Name}.ReceiveTransportRetryPolicy");

        // The send transports use the same policy (BaseHostConfiguration.SendTransportRetryPolicy returns this one).
        field.SetValue(host, policy);
    }

    /// <summary>The policy the bus built by <paramref name="configurator"/> reconnects with.</summary>
    public static IRetryPolicy? Current(IRabbitMqBusFactoryConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        var host = configurator.GetType().GetField("_hostConfiguration", Instance)?.GetValue(configurator);
        return host?.GetType().GetProperty("ReceiveTransportRetryPolicy")?.GetValue(host) as IRetryPolicy;
    }

    static InvalidOperationException Moved(string what) => new(
        $"Cannot set the broker reconnect policy: {what} is not where MassTransit 8.5.12 keeps it. After a MassTransit "
        + "upgrade, find where the RabbitMQ host configuration keeps ReceiveTransportRetryPolicy and update BrokerReconnectPolicy.");
}
