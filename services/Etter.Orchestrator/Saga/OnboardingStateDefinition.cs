using Etter.Messaging.Bus;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga;

/// <summary>Endpoint, routing, retry and concurrency policy of the onboarding saga.</summary>
public sealed class OnboardingStateDefinition : SagaDefinition<OnboardingState>
{
    /// <summary>
    /// What reaches the saga by publish (events of the step services, status requests, commands of publishers). On
    /// RabbitMQ their exchanges feed the saga's consistent-hash exchange, never a partition queue directly.
    /// </summary>
    public static readonly Type[] PublishedToSaga =
    [
        typeof(RoleSetupCompleted), typeof(RoleSetupFailed), typeof(Fault<SetUpRole>),
        typeof(AiAssessmentStarted), typeof(AiAssessmentCompleted), typeof(AiAssessmentFailed), typeof(Fault<AssessRole>),
        typeof(GetOnboardingStatus), typeof(SubmitOnboarding), typeof(RetryOnboarding), typeof(CancelOnboarding), typeof(MarkOnboardingStale),
    ];

    // Enough lanes that unrelated workflows rarely share one at the endpoint's default concurrency.
    const int Partitions = 64;

    public OnboardingStateDefinition(IOptions<OrchestratorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => e.Name = CommandQueues.OnboardingSagaPartition(options.Value.Partition));
    }

    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<OnboardingState> sagaConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        switch (endpointConfigurator)
        {
            case IRabbitMqReceiveEndpointConfigurator rabbit:
                RouteByWorkflow(rabbit);
                break;
            case IInMemoryReceiveEndpointConfigurator inMemory:
                // One process, one partition: what is sent to the saga's address simply arrives here.
                inMemory.Bind(CommandQueues.OnboardingSagaName);
                break;
        }

        // Messages of one workflow (a step's result, a deadline, a status request) can arrive together. Run them one
        // after another within this instance instead of letting them race for the same row version: each lost race is
        // a rolled-back transaction plus a retry. Other workflows still run in parallel.
        // One partitioner shared by every message type: with a count instead, MassTransit builds one per type.
        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        IPipeConfigurator<ConsumeContext> everyMessage = endpointConfigurator;
        everyMessage.UsePartitioner(partitioner, context => context.CorrelationId ?? context.MessageId ?? Guid.Empty);

        // Optimistic concurrency: a message that lost a race (stale version, a duplicate first insert, the role's
        // in-flight claim taken meanwhile) is run again against the rows that won. Jittered so racing retries spread.
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DbUpdateException>();
            r.Handle<System.Data.Common.DbException>();
            r.Exponential(20, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(20));
        });

        // Outgoing commands, answers and status are not sent from here: activities write them to the transactional
        // outbox in the saga's own transaction, and they are handed off right after the commit.
    }

    /// <summary>
    /// Each orchestrator instance consumes one partition queue, bound with equal weight to the consistent-hash
    /// exchange; the exchanges of what is published to the saga feed that exchange. A workflow's messages therefore
    /// always reach the same instance, and instances never race for a row. Instances started with the same partition
    /// share its queue as active and standby (single active consumer): the standby takes over when the active dies.
    /// </summary>
    static void RouteByWorkflow(IRabbitMqReceiveEndpointConfigurator rabbit)
    {
        rabbit.ConfigureConsumeTopology = false;
        rabbit.SetQueueArgument("x-single-active-consumer", true);
        var names = new RabbitMqMessageNameFormatter();
        rabbit.Bind(CommandQueues.OnboardingSagaName, hash =>
        {
            hash.ExchangeType = "x-consistent-hash";

            // For this exchange type the routing key of a queue's binding is its weight.
            hash.RoutingKey = "1";
            foreach (var type in PublishedToSaga)
            {
                // Declared as every publisher declares a message type's exchange; it would otherwise take the hash type.
                hash.Bind(names.GetMessageName(type), messageType => messageType.ExchangeType = RabbitMQ.Client.ExchangeType.Fanout);
            }
        });
    }
}
