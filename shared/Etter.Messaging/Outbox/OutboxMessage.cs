namespace Etter.Messaging.Outbox;

/// <summary>A message waiting to be delivered, stored in the same transaction as the state change that produced it.</summary>
public sealed class OutboxMessage
{
    /// <summary>How bodies are written and read back: camelCase JSON, the contracts' wire shape.</summary>
    public static System.Text.Json.JsonSerializerOptions JsonOptions { get; } = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>Delivery order; assigned by the database.</summary>
    public long Sequence { get; set; }

    public Guid WorkflowId { get; set; }

    /// <summary>Address to send to (a queue, a requester's reply address, or a custom destination such as <c>status:</c>); null to publish.</summary>
    public string? Destination { get; set; }

    /// <summary>Full name of the message type in Etter.Contracts.</summary>
    public string MessageType { get; set; } = "";

    public string Body { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>W3C traceparent of the unit of work that wrote it, so delivery continues the same trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>Set on a response: the id of the request it answers, which the requester matches it by.</summary>
    public Guid? RequestId { get; set; }
}
