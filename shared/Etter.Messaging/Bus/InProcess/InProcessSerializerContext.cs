using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;

namespace Etter.Messaging.Bus.InProcess;

/// <summary>A received in-process message: the sent object itself, under the envelope it was sent with.</summary>
internal sealed class InProcessSerializerContext(MessageContext context, MessageEnvelope envelope)
    : BaseSerializerContext(SystemTextJsonMessageSerializer.Instance, context, envelope.MessageType ?? [])
{
    readonly object _message = envelope.Message ?? throw new ArgumentException("An in-process envelope carries its message.", nameof(envelope));

    public override bool TryGetMessage<T>(out T? message)
        where T : class
    {
        if (_message is T sent)
        {
            message = sent;
            return true;
        }

        // Asked for a type the sender declared but the object is not (a contract read as another shape): convert it
        // the way the JSON serializer would have.
        message = IsSupportedMessageType<T>() ? Convert<T>(_message) : null;
        return message is not null;
    }

    public override bool TryGetMessage(Type messageType, [NotNullWhen(true)] out object? message)
    {
        ArgumentNullException.ThrowIfNull(messageType);
        message = messageType.IsInstanceOfType(_message) ? _message : null;
        return message is not null;
    }

    /// <summary>Sends this message on (redelivery, the error queue) as the same object and declared types.</summary>
    public override IMessageSerializer GetMessageSerializer() => new ForwardingSerializer(_message, SupportedMessageTypes);

    public override IMessageSerializer GetMessageSerializer<T>(MessageEnvelope envelope, T message)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new ForwardingSerializer(message, envelope.MessageType ?? SupportedMessageTypes);
    }

    public override IMessageSerializer GetMessageSerializer(object message, string[] messageTypes) => new ForwardingSerializer(message, messageTypes);

    public override Dictionary<string, object> ToDictionary<T>(T? message)
        where T : class =>
        message is null ? [] : Convert<Dictionary<string, object>>(message) ?? [];

    static T? Convert<T>(object value)
        where T : class =>
        JsonSerializer.SerializeToElement(value, value.GetType(), SystemTextJsonMessageSerializer.Options).Deserialize<T>(SystemTextJsonMessageSerializer.Options);

    /// <summary>Writes a given message under a new send's envelope: what MassTransit asks for when it sends a received message again.</summary>
    sealed class ForwardingSerializer(object message, string[] messageTypes) : IMessageSerializer
    {
        public System.Net.Mime.ContentType ContentType => InProcessSerialization.InProcessContentType;

        public MessageBody GetMessageBody<T>(SendContext<T> context)
            where T : class
        {
            ArgumentNullException.ThrowIfNull(context);
            return InProcessMessageSerializer.Hold(new JsonMessageEnvelope(context, message) { MessageType = messageTypes });
        }
    }
}
