using Etter.Api.Dashboard;
using Etter.Api.Health;
using Etter.Api.Pipeline;
using Etter.Api.Reference;
using Etter.Api.Security;
using Etter.BuildingBlocks.Taxonomy;
using Microsoft.Extensions.Options;
using Etter.BuildingBlocks.Configuration;
using Etter.BuildingBlocks.Messaging;
using Etter.BuildingBlocks.Observability;
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

        services.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddSingleton<ApiKeyFilter>();
        services.TryAddSingleton<ITaxonomyProvider, SampleTaxonomyProvider>();
        services.AddOpenApi();
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
        ArgumentNullException.ThrowIfNull(app);
        app.MapPipelineEndpoints(app.Services.GetRequiredService<IOptions<ApiOptions>>().Value);
        app.MapPipelineHealth();
        app.MapEtterMetrics();
        app.MapOpenApi();
        app.MapApiReference();
        app.MapDashboard();
        return app;
    }
}
