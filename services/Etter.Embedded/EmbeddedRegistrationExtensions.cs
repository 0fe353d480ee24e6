using Etter.AiAssessment;
using Etter.BuildingBlocks.Messaging;
using Etter.BuildingBlocks.Status;
using Etter.Orchestrator;
using Etter.RoleSetup;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Embedded;

public static class EmbeddedRegistrationExtensions
{
    /// <summary>
    /// Every component in this process: the saga, both step consumers and the status projection, on the
    /// transport and stores the configured mode selects (in-memory bus, SQLite and in-memory status by default).
    /// </summary>
    public static IServiceCollection AddEtterAllInOne(
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
            bus.AddStatusProjectionComponents();
            registerMore?.Invoke(bus);
        });
        return services;
    }
}
