using Etter.BuildingBlocks.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Saga;

/// <summary>Endpoint, retry and concurrency policy of the onboarding saga.</summary>
public sealed class OnboardingStateDefinition : SagaDefinition<OnboardingState>
{
    public OnboardingStateDefinition()
    {
        Endpoint(e => e.Name = CommandQueues.OnboardingSagaName);
    }

    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<OnboardingState> sagaConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);

        // Optimistic concurrency: a message that lost a race (stale version, or a duplicate first insert)
        // is simply run again against the row that won. Jittered so racing retries spread out.
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DbUpdateException>();
            r.Handle<System.Data.Common.DbException>();
            r.Exponential(20, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20));
        });

        // Outgoing commands and events are not sent from here: activities write them to the transactional
        // outbox in the saga's own transaction, and the relay delivers them after commit.
    }
}
