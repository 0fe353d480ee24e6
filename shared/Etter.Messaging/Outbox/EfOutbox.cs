using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

/// <summary>Adds outbox rows to the scoped DbContext; whoever saves that context commits them with its own changes.</summary>
public sealed class EfOutbox<TDbContext>(TDbContext db, TimeProvider time, OutboxSignal signal) : IOutbox
    where TDbContext : DbContext
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public void Publish<T>(Guid workflowId, T message)
        where T : class => Add(workflowId, destination: null, message);

    public void Send<T>(Guid workflowId, Uri destination, T message)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(destination);
        Add(workflowId, destination.ToString(), message);
    }

    void Add<T>(Guid workflowId, string? destination, T message)
        where T : class
    {
        db.Set<OutboxMessage>().Add(new OutboxMessage
        {
            WorkflowId = workflowId,
            Destination = destination,
            MessageType = typeof(T).FullName!,
            Body = JsonSerializer.Serialize(message, JsonOptions),
            CreatedAt = time.GetUtcNow(),
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        });
        signal.NotifyAfterCommit(db);
    }
}
