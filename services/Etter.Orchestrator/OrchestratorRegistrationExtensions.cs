using Etter.Messaging.Outbox;
using Etter.Messaging.Sagas;
using Etter.Orchestrator.Admission;
using Etter.Orchestrator.Deadlines;
using Etter.Orchestrator.Intake;
using Etter.Orchestrator.Leases;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.Orchestrator.Saga.Activities;
using Etter.Orchestrator.Status;
using Etter.Orchestrator.Submission;
using Etter.Persistence;
using Etter.ReadModel;
using Etter.ServiceDefaults.Configuration;
using Etter.StatusStore;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.Orchestrator;

public static class OrchestratorRegistrationExtensions
{
    /// <summary>The SQLite file in embedded mode; readers open the same one (<see cref="ReadModelRegistrationExtensions"/>).</summary>
    public const string SqliteFileName = ReadModelRegistrationExtensions.SqliteFileName;

    /// <summary>The orchestrator's services: its database (migrated at start) and the saga's activities.</summary>
    public static IServiceCollection AddOrchestrator(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<OrchestratorOptions>(OrchestratorOptions.Section);
        services.AddEtterDatabase<OrchestratorDbContext, SqliteOrchestratorDbContext, PostgresOrchestratorDbContext>(configuration, SqliteFileName, "__ef_migrations_orchestrator");
        services.AddDatabaseMigration<OrchestratorDbContext>();
        services.AddHostedService<StatusDocumentBackfill>();
        if (configuration.GetEtterOptions().Mode == EtterMode.Embedded)
        {
            services.AddHostedService<LostMessagesRecovery>();
        }

        services.AddTransactionalOutbox<OrchestratorDbContext>();
        services.AddWorkflowStatusStore(configuration);
        services.AddSingleton<IOutboxDestination, StatusStoreDestination>();
        services.AddScoped<SagaTransaction<OrchestratorDbContext>>();
        services.AddScoped<SubmissionPreparer>();
        services.AddScoped<ISagaMessagePreparer<OrchestratorDbContext, OnboardRoleRequested>>(sp => sp.GetRequiredService<SubmissionPreparer>());
        services.AddScoped<ISagaMessagePreparer<OrchestratorDbContext, SubmitOnboarding>>(sp => sp.GetRequiredService<SubmissionPreparer>());
        services.AddScoped<ISagaMessagePreparer<OrchestratorDbContext, RetryOnboarding>>(sp => sp.GetRequiredService<SubmissionPreparer>());
        services.AddSingleton<DeadlineSweeper>();
        services.AddSingleton<AdmissionController>();
        services.AddSingleton<AdmissionSignal>();
        services.AddHostedService(sp => sp.GetRequiredService<AdmissionController>());
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineSweeper>());
        services.AddScoped<RecordStatusActivity>();
        services.AddScoped<RespondAcceptedActivity>();
        services.AddScoped<MarkSupersededActivity>();
        services.AddScoped<SendRoleSetupActivity>();
        services.AddScoped<SendAssessmentActivity>();
        services.AddScoped<RespondWithStatusActivity>();
        return services;
    }

    /// <summary>The orchestrator's bus components: the intake endpoint and the onboarding saga.</summary>
    public static IBusRegistrationConfigurator AddOrchestratorComponents(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<OnboardRoleRequestedConsumer, OnboardRoleRequestedConsumerDefinition>();
        bus.AddConsumer<AssessmentLeaseConsumer, AssessmentLeaseConsumerDefinition>();
        bus.AddSagaStateMachine<OnboardingStateMachine, OnboardingState, OnboardingStateDefinition>()
            .EtterEfRepository<OnboardingState, OrchestratorDbContext>();
        return bus;
    }
}
