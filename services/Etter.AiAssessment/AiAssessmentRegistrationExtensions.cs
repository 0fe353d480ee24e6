using Etter.AiAssessment.Consumers;
using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Llm;
using Etter.AiAssessment.Engines.Mock;
using Etter.AiAssessment.Engines.Rubric;
using Etter.AiAssessment.Persistence;
using Etter.AiAssessment.Runs;
using Etter.Messaging.Outbox;
using Etter.Persistence;
using Etter.ServiceDefaults.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.AiAssessment;

public static class AiAssessmentRegistrationExtensions
{
    public const string SqliteFileName = "assessment.db";

    /// <summary>AiAssessment's services: the engines, the selector that picks one per request, the run log with its outbox, and the runner.</summary>
    public static IServiceCollection AddAiAssessment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAiAssessmentEngines(configuration);
        services.AddEtterDatabase<AssessmentDbContext, SqliteAssessmentDbContext, PostgresAssessmentDbContext>(configuration, SqliteFileName, "__ef_migrations_assessment");
        services.AddDatabaseMigration<AssessmentDbContext>();
        services.AddTransactionalOutbox<AssessmentDbContext>();
        services.AddScoped<AssessmentRunStore>();
        services.AddSingleton<AssessmentExecution>();
        services.AddSingleton<AssessmentRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<AssessmentRunner>());
        return services;
    }

    /// <summary>Just the engines and the selector (what <c>etter assess</c> needs), without the service's database or runner.</summary>
    public static IServiceCollection AddAiAssessmentEngines(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<AssessmentOptions>(AssessmentOptions.Section);
        services.AddSingleton<IAssessmentEngine, MockAssessmentEngine>();
        services.AddSingleton<IAssessmentEngine, RubricAssessmentEngine>();

        // Only when Etter:Assessment:Llm:BaseUrl is set, so a default install stays offline.
        services.AddLlmAssessmentEngine(configuration);
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
