using Etter.Messaging.Bus.InProcess;
using Etter.ServiceDefaults.Configuration;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.Messaging.Bus;

public static class BusRegistrationExtensions
{
    /// <summary>
    /// Configures MassTransit for the mode: the in-memory transport when embedded, RabbitMQ when
    /// distributed. <paramref name="registerComponents"/> adds the sagas and consumers this host runs,
    /// so the service hosts and the embedded host compose the same components.
    /// </summary>
    public static IServiceCollection AddEtterBus(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<IBusRegistrationConfigurator> registerComponents)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(registerComponents);
        var etter = configuration.GetEtterOptions();
        WorkflowCorrelation.EnsureRegistered();

        services.AddMassTransit(bus =>
        {
            // Never phone home: MassTransit's usage telemetry calls out to the internet.
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            registerComponents(bus);

            if (etter.Mode == EtterMode.Embedded)
            {
                var inMemory = configuration.GetRequired<InMemoryBusOptions>(InMemoryBusOptions.Section);
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.UseInProcessMessages();
                    cfg.PrefetchCount = inMemory.ConcurrentMessageLimit;
                    cfg.ConcurrentMessageLimit = inMemory.ConcurrentMessageLimit;
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                var rabbit = configuration.GetRequired<RabbitMqOptions>(RabbitMqOptions.Section);
                if (rabbit.QuorumQueues)
                {
                    bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
                    {
                        if (endpoint is IRabbitMqReceiveEndpointConfigurator queue)
                        {
                            queue.SetQuorumQueue();
                        }
                    });
                }

                services.TryAddSingleton(TimeProvider.System);
                services.TryAddSingleton<RejectedPublishRecovery>();
                services.AddSendObserver(provider => provider.GetRequiredService<RejectedPublishRecovery>());
                services.AddPublishObserver(provider => provider.GetRequiredService<RejectedPublishRecovery>());
                services.TryAddSingleton<WedgedConnectionWatchdog>();
                services.AddHostedService(provider => provider.GetRequiredService<WedgedConnectionWatchdog>());
                services.AddHostedService<ReceiveEndpointHealthLog>();
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, h =>
                    {
                        h.Username(rabbit.Username);
                        h.Password(rabbit.Password);
                        h.ConnectionName(AppDomain.CurrentDomain.FriendlyName);
                        if (rabbit.ClusterNodes.Count > 0)
                        {
                            h.UseCluster(cluster =>
                            {
                                cluster.Node($"{rabbit.Host}:{rabbit.Port}");
                                foreach (var node in rabbit.ClusterNodes.Where(n => !string.IsNullOrWhiteSpace(n)))
                                {
                                    cluster.Node(node.Trim());
                                }
                            });
                        }
                    });
                    cfg.PrefetchCount = rabbit.PrefetchCount;
                    BrokerReconnectPolicy.Apply(cfg, BrokerReconnectPolicy.Create(rabbit.ReconnectMaxInterval));

                    // The workflow id as routing key: the saga's consistent-hash exchange sends each workflow's
                    // messages to one partition. Fanout exchanges (every other endpoint) ignore it.
                    cfg.ConfigureSend(send => send.UseExecute(WorkflowRouting.SetRoutingKey));
                    cfg.ConfigurePublish(publish => publish.UseExecute(WorkflowRouting.SetRoutingKey));
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        services.AddSingleton(new BusDurability(SurvivesRestart: etter.Mode != EtterMode.Embedded));
        services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            // Publishing before the bus is fully started loses messages on a fresh broker; wait for it.
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(60);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return services;
    }
}
