using Etter.Messaging.Bus;
using MassTransit;

namespace Etter.Api.Status;

public sealed class OnboardingStatusProjectionConsumerDefinition : ConsumerDefinition<OnboardingStatusProjectionConsumer>
{
    public OnboardingStatusProjectionConsumerDefinition()
    {
        EndpointName = CommandQueues.StatusProjectionName;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<OnboardingStatusProjectionConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);

        // When Redis is down the events wait here and are applied once it is back: workflows never wait
        // on the projection, and the versioned write makes the late, out-of-order catch-up safe.
        endpointConfigurator.UseMessageRetry(r => r.Exponential(
            retryLimit: 1000,
            minInterval: TimeSpan.FromMilliseconds(200),
            maxInterval: TimeSpan.FromSeconds(15),
            intervalDelta: TimeSpan.FromMilliseconds(500)));
    }
}
