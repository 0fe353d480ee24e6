using Etter.ServiceDefaults.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Etter.StatusStore;

public static class StatusRegistrationExtensions
{
    /// <summary>The fast status store for the mode: in memory when embedded, Redis when distributed.</summary>
    public static IServiceCollection AddWorkflowStatusStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Several services of one process (the embedded host) share one store.
        if (services.Any(d => d.ServiceType == typeof(IWorkflowStatusStore)))
        {
            return services;
        }

        if (configuration.GetEtterOptions().Mode == EtterMode.Embedded)
        {
            services.AddSingleton<InMemoryWorkflowStatusStore>();
            services.AddSingleton<IWorkflowStatusStore>(sp => sp.GetRequiredService<InMemoryWorkflowStatusStore>());
            return services;
        }

        var redis = configuration.GetRequired<RedisOptions>(RedisOptions.Section);
        services.AddValidatedOptions<RedisOptions>(RedisOptions.Section);
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(redis.Configuration);

            // Start even when Redis is down: status falls back to the saga store and the projection catches up later.
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = 2000;
            options.SyncTimeout = 2000;
            options.AsyncTimeout = 2000;
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton<IWorkflowStatusStore, RedisWorkflowStatusStore>();

        // Only hosts that talk to Redis trace it.
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddRedisInstrumentation());
        return services;
    }
}
