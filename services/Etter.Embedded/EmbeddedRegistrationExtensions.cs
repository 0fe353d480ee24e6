using Etter.AiAssessment;
using Etter.Api;
using Etter.Messaging.Bus;
using Etter.Orchestrator;
using Etter.RoleSetup;
using Etter.StatusStore;
using MassTransit;

namespace Etter.Embedded;

public static class EmbeddedRegistrationExtensions
{
    /// <summary>The API and every service in this process: what <c>dotnet run --project services/Etter.Embedded</c> serves.</summary>
    public static IServiceCollection AddEtterEmbedded(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEtterApiServices(configuration);
        return services.AddEtterPipeline(configuration);
    }

    /// <summary>
    /// Every service of the pipeline, the status store and one bus carrying all their components (the API's
    /// request clients included), without the HTTP endpoints: what the CLI runs.
    /// </summary>
    public static IServiceCollection AddEtterPipeline(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<IBusRegistrationConfigurator>? registerMore = null)
    {
        services.AddOrchestrator(configuration);
        services.AddRoleSetup(configuration);
        services.AddAiAssessment(configuration);
        services.AddWorkflowStatusStore(configuration);
        services.AddEtterBus(configuration, bus =>
        {
            bus.AddOrchestratorComponents();
            bus.AddRoleSetupComponents();
            bus.AddAiAssessmentComponents();
            bus.AddEtterApiComponents();
            registerMore?.Invoke(bus);
        });
        return services;
    }
}
