using Etter.TestSupport;
using RabbitMQ.Client;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>A plain AMQP connection to a scratch environment's vhost, for what a test does on the broker behind the services' backs.</summary>
public static class ScratchBroker
{
    public static Task<IConnection> ConnectAsync(ScratchEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var settings = environment.Settings;
        return new ConnectionFactory
        {
            HostName = settings.RabbitHost,
            Port = settings.RabbitPort,
            VirtualHost = environment.VirtualHost,
            UserName = settings.RabbitUser,
            Password = settings.RabbitPassword,
        }.CreateConnectionAsync();
    }
}
