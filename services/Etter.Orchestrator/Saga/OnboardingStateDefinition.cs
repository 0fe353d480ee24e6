using Etter.Messaging.Bus;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Saga;

/// <summary>Endpoint, retry and concurrency policy of the onboarding saga.</summary>
public sealed class OnboardingStateDefinition : SagaDefinition<OnboardingState>
{
    // Enough lanes that unrelated workflows rarely share one at the endpoint's default concurrency.
    const int Partitions = 64;

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

        // Messages of one workflow (a step's Started and Completed, a heartbeat, a status event) often arrive
        // together. Run them one after another within this instance instead of letting them race for the same
        // row version: each lost race is a rolled-back transaction plus a retry. Other workflows still run in
        // parallel; across instances the optimistic retry below stays the safety net.
        // One partitioner shared by every message type: with a count instead, MassTransit builds one per type.
        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        IPipeConfigurator<ConsumeContext> everyMessage = endpointConfigurator;
        everyMessage.UsePartitioner(partitioner, context => context.CorrelationId ?? context.MessageId ?? Guid.Empty);

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
