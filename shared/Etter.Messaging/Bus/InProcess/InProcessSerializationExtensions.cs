using MassTransit;

namespace Etter.Messaging.Bus.InProcess;

public static class InProcessSerializationExtensions
{
    /// <summary>
    /// Sends on this bus as objects (<see cref="InProcessSerialization"/>). Only for a bus that never leaves the process:
    /// the in-memory transport. The JSON deserializers stay, so a body written as JSON still reads.
    /// </summary>
    public static void UseInProcessMessages(this IBusFactoryConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.AddSerializer(InProcessSerialization.Instance);
        configurator.AddDeserializer(InProcessSerialization.Instance);
        configurator.SerializerContentType = InProcessSerialization.InProcessContentType;
    }
}
