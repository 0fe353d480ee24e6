using MassTransit;

namespace Etter.RoleSetup.Catalog;

public sealed class CatalogQueryConsumerDefinition : ConsumerDefinition<CatalogQueryConsumer>
{
    public const string EndpointQueue = "role-catalog";

    public CatalogQueryConsumerDefinition()
    {
        EndpointName = EndpointQueue;
    }
}
