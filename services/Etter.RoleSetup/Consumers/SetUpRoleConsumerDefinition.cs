using Etter.Messaging.Bus;
using MassTransit;

namespace Etter.RoleSetup.Consumers;

public sealed class SetUpRoleConsumerDefinition : ConsumerDefinition<SetUpRoleConsumer>
{
    public SetUpRoleConsumerDefinition()
    {
        EndpointName = CommandQueues.SetUpRoleName;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SetUpRoleConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);

        // Only immediate retries for blips (a lost upsert race, a dropped connection). Step-level retry
        // with backoff is the orchestrator's job; a crash past these becomes Fault<SetUpRole>, which fails the step.
        endpointConfigurator.UseMessageRetry(r => r.Immediate(2));
    }
}
