using Etter.Api.Health;
using Etter.Api.Pipeline;
using Etter.BuildingBlocks.Configuration;
using Etter.BuildingBlocks.Messaging;
using Etter.BuildingBlocks.Status;
using Etter.Contracts;
using Etter.Embedded;
using Etter.Orchestrator;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.Api;

public static class ApiRegistrationExtensions
{
    /// <summary>
    /// The API's services. Distributed: a bus client that publishes requests, projects status into Redis
    /// and reads the saga store. Embedded: the whole pipeline in this process, so the API alone is a demo.
    /// </summary>
    public static IServiceCollection AddEtterApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (configuration.GetEtterOptions().Mode == EtterMode.Embedded)
        {
            services.AddEtterAllInOne(configuration, RegisterApiComponents);
        }
        else
        {
            services.AddOrchestratorReadModel(configuration);
            services.AddWorkflowStatusStore(configuration);
            services.AddEtterBus(configuration, bus =>
            {
                bus.AddStatusProjectionComponents();
                RegisterApiComponents(bus);
            });
        }

        services.AddScoped<WorkflowStatusQuery>();
        services.AddSingleton<PipelineHealthService>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = PipelineStatusMapper.JsonOptions.PropertyNamingPolicy;
            o.SerializerOptions.DictionaryKeyPolicy = PipelineStatusMapper.JsonOptions.DictionaryKeyPolicy;
        });
        return services;
    }

    static void RegisterApiComponents(IBusRegistrationConfigurator bus) =>
        bus.AddRequestClient<GetOnboardingStatus>(RequestTimeout.After(s: 10));

    public static WebApplication MapEtterApi(this WebApplication app)
    {
        app.MapPipelineEndpoints();
        app.MapPipelineHealth();
        return app;
    }
}
