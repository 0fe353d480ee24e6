using MassTransit;

namespace Etter.Orchestrator.Leases;

public sealed class AssessmentLeaseConsumerDefinition : ConsumerDefinition<AssessmentLeaseConsumer>
{
    public const string EndpointQueue = "assessment-lease";

    public AssessmentLeaseConsumerDefinition()
    {
        EndpointName = EndpointQueue;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AssessmentLeaseConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);

        // A database blip: try a few times; a lost beat is tolerated anyway, the lease allows several.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000));
    }
}
