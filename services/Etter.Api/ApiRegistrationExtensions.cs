using Etter.Api.Dashboard;
using Etter.Api.Errors;
using Etter.Api.Health;
using Etter.Api.Pipeline;
using Etter.Api.Reference;
using Etter.Api.Security;
using Etter.Api.Status;
using Etter.Api.Submissions;
using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.ReadModel;
using Etter.ServiceDefaults.Configuration;
using Etter.ServiceDefaults.Observability;
using Etter.StatusStore;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Etter.Api;

public static class ApiRegistrationExtensions
{
    /// <summary>
    /// The API host of a distributed deployment: its services, the Redis status store it reads, and a bus that sends
    /// pushes to the saga and asks RoleSetup for the taxonomy.
    /// </summary>
    public static IServiceCollection AddEtterApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetEtterOptions().Mode == EtterMode.Embedded)
        {
            throw new InvalidOperationException(
                "Etter.Api serves a distributed deployment (Etter__Mode=Distributed). For everything in one process, run services/Etter.Embedded, which hosts this API with every service.");
        }

        services.AddEtterApiServices(configuration);
        services.AddWorkflowStatusStore(configuration);
        services.AddEtterBus(configuration, bus => bus.AddEtterApiComponents());
        return services;
    }

    /// <summary>What the API needs whichever host runs it: options, workflow reads, submission, health, OpenAPI.</summary>
    public static IServiceCollection AddEtterApiServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddWorkflowReadModel(configuration);
        services.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddSingleton<ApiKeyFilter>();
        services.AddOpenApi();
        services.AddScoped<WorkflowStatusQuery>();
        services.AddScoped<RoleSubmitter>();
        services.AddSingleton<PipelineHealthService>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = PipelineStatusMapper.JsonOptions.PropertyNamingPolicy;
            o.SerializerOptions.DictionaryKeyPolicy = PipelineStatusMapper.JsonOptions.DictionaryKeyPolicy;
        });
        return services;
    }

    /// <summary>
    /// The API's bus components: request clients for pushes (straight to the saga), status and the taxonomy, and the
    /// queue their answers arrive on, started with the host.
    /// </summary>
    public static IBusRegistrationConfigurator AddEtterApiComponents(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddResponseQueueAtStart();
        bus.AddRequestClient<OnboardRoleRequested>(CommandQueues.OnboardingSaga, RequestTimeout.After(s: 10));
        bus.AddRequestClient<GetOnboardingStatus>(RequestTimeout.After(s: 10));
        bus.AddRequestClient<GetCompanies>(RequestTimeout.After(s: 10));
        bus.AddRequestClient<GetCompanyRoles>(RequestTimeout.After(s: 10));
        return bus;
    }

    public static WebApplication MapEtterApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseErrorEnvelopes();
        app.MapPipelineEndpoints(app.Services.GetRequiredService<IOptions<ApiOptions>>().Value);
        app.MapPipelineHealth();
        app.MapEtterMetrics();
        app.MapOpenApi();
        app.MapApiReference();
        app.MapDashboard();
        return app;
    }
}
