using Etter.Messaging.Bus;
using MassTransit;

namespace Etter.Orchestrator.Intake;

public sealed class OnboardRoleRequestedConsumerDefinition : ConsumerDefinition<OnboardRoleRequestedConsumer>
{
    public OnboardRoleRequestedConsumerDefinition()
    {
        EndpointName = CommandQueues.IntakeName;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<OnboardRoleRequestedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);

        // Plain JSON (content type application/json) from non-.NET publishers, e.g. the Python backend.
        // Safe to accept as "any type" here because this endpoint consumes exactly one message type.
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: false);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<InvalidOnboardingRequestException>();
            r.Intervals(100, 500, 1000);
        });
    }
}
