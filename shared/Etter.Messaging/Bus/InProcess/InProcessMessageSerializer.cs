using System.Net.Mime;
using System.Runtime.CompilerServices;
using System.Text;
using MassTransit;
using MassTransit.Serialization;

namespace Etter.Messaging.Bus.InProcess;

/// <summary>Hands a sent message's envelope to the receiving side through a token (see <see cref="InProcessSerialization"/>).</summary>
internal sealed class InProcessMessageSerializer : IMessageSerializer, IMessageDeserializer
{
    public static readonly InProcessMessageSerializer Instance = new();

    static readonly ConditionalWeakTable<byte[], MessageEnvelope> Envelopes = new();

    InProcessMessageSerializer()
    {
    }

    public ContentType ContentType => InProcessSerialization.InProcessContentType;

    public MessageBody GetMessageBody<T>(SendContext<T> context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        return Hold(new JsonMessageEnvelope(context, context.Message));
    }

    /// <summary>The token standing for <paramref name="envelope"/>: a new array each time, since the table keys on the instance.</summary>
    internal static MessageBody Hold(MessageEnvelope envelope)
    {
        var token = new byte[1];
        Envelopes.Add(token, envelope);
        return new HeldMessageBody(token, envelope);
    }

    public ConsumeContext Deserialize(ReceiveContext receiveContext)
    {
        ArgumentNullException.ThrowIfNull(receiveContext);
        return new BodyConsumeContext(receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!Envelopes.TryGetValue(body.GetBytes(), out var envelope))
        {
            // Only a token this process handed out resolves: the in-memory bus reaches no other process.
            throw new InvalidOperationException($"The message body is not an in-process message of this process (content type {ContentType}).");
        }

        return new InProcessSerializerContext(new EnvelopeMessageContext(envelope, SystemTextJsonMessageSerializer.Instance), envelope);
    }

    public MessageBody GetMessageBody(string text) => new BytesMessageBody(Encoding.UTF8.GetBytes(text));

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = context.CreateScope("in-process");
        scope.Add("contentType", ContentType.MediaType);
    }

    /// <summary>The token as a body; its text names the message, for logs and the error queue.</summary>
    sealed class HeldMessageBody(byte[] token, MessageEnvelope envelope) : MessageBody
    {
        public long? Length => token.Length;

        public Stream GetStream() => new MemoryStream(token, writable: false);

        public byte[] GetBytes() => token;

        public string GetString() => $"in-process message {envelope.MessageId} ({string.Join(", ", envelope.MessageType ?? [])})";
    }
}
