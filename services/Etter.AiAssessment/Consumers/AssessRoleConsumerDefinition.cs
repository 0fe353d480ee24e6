using Etter.Messaging.Bus;
using MassTransit;

namespace Etter.AiAssessment.Consumers;

public sealed class AssessRoleConsumerDefinition : ConsumerDefinition<AssessRoleConsumer>
{
    public AssessRoleConsumerDefinition()
    {
        EndpointName = CommandQueues.AssessRoleName;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AssessRoleConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);

        // No retry here: step-level retry belongs to the orchestrator. A crash becomes Fault<AssessRole>. No
        // in-memory outbox either: outcomes go through the run log's transactional outbox.
    }
}
