using Etter.TestSupport;
using RabbitMQ.Client;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>A plain AMQP connection to a scratch environment's vhost, for what a test does on the broker behind the services' backs.</summary>
public static class ScratchBroker
{
    /// <param name="configure">Changes to the factory's other settings (a client name, no automatic recovery).</param>
    public static Task<IConnection> ConnectAsync(ScratchEnvironment environment, Action<ConnectionFactory>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var settings = environment.Settings;
        var factory = new ConnectionFactory
        {
            HostName = settings.RabbitHost,
            Port = settings.RabbitPort,
            VirtualHost = environment.VirtualHost,
            UserName = settings.RabbitUser,
            Password = settings.RabbitPassword,
        };
        configure?.Invoke(factory);
        return factory.CreateConnectionAsync();
    }
}
