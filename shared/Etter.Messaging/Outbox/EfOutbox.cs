using System.Text.Json;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

/// <summary>
/// Adds outbox rows to the scoped DbContext; whoever saves that context commits them with its own changes, and
/// the hand-off delivers them right after that commit.
/// </summary>
public sealed class EfOutbox<TDbContext>(TDbContext db, TimeProvider time, OutboxHandoff<TDbContext> handoff) : IOutbox<TDbContext>
    where TDbContext : DbContext
{
    public void Publish<T>(Guid workflowId, T message)
        where T : class => Add(workflowId, destination: null, message, requestId: null);

    public void Send<T>(Guid workflowId, Uri destination, T message, Guid? requestId = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(destination);
        Add(workflowId, destination, message, requestId);
    }

    void Add<T>(Guid workflowId, Uri? destination, T message, Guid? requestId)
        where T : class
    {
        // A destination in this process's memory, and a requester waiting for its answer, get the message after the commit
        // but no row: nothing to serialize, insert or delete (in embedded mode, three of a workflow's six rows were status
        // writes to the store in memory; in both modes one was the answer to the API's request).
        var stored = destination is null || !handoff.NeedsNoRow(destination, isResponse: requestId is not null);
        var row = new OutboxMessage
        {
            WorkflowId = workflowId,
            Destination = destination?.ToString(),
            MessageType = typeof(T).FullName!,
            Body = stored ? JsonSerializer.Serialize(message, OutboxMessage.JsonOptions) : "",
            CreatedAt = time.GetUtcNow(),
            TraceParent = System.Diagnostics.Activity.Current?.Id,
            RequestId = requestId,
        };
        if (stored)
        {
            // Only ever inserted: on an Etter context the row skips the change tracker (see EtterDbContext.AddUntracked).
            if (db is EtterDbContext etter)
            {
                etter.AddUntracked(row);
            }
            else
            {
                db.Set<OutboxMessage>().Add(row);
            }
        }

        handoff.Track(db, row, message, stored);
    }
}
