using Etter.AiAssessment.Consumers;
using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Mock;
using Etter.AiAssessment.Engines.Rubric;
using Etter.BuildingBlocks.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.AiAssessment;

public static class AiAssessmentRegistrationExtensions
{
    /// <summary>AiAssessment's services: the engines and the selector that picks one per request.</summary>
    public static IServiceCollection AddAiAssessment(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<AssessmentOptions>(AssessmentOptions.Section);
        services.AddSingleton<IAssessmentEngine, MockAssessmentEngine>();
        services.AddSingleton<IAssessmentEngine, RubricAssessmentEngine>();
        services.AddSingleton<AssessmentEngineSelector>();
        return services;
    }

    public static IBusRegistrationConfigurator AddAiAssessmentComponents(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<AssessRoleConsumer, AssessRoleConsumerDefinition>();
        return bus;
    }
}
