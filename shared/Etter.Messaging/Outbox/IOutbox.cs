using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Outbox;

/// <summary>
/// Publishes and sends as part of the current unit of work of <typeparamref name="TDbContext"/>: messages are
/// written next to the state change and go out only once it commits (then at least once, even across a crash).
/// </summary>
public interface IOutbox<TDbContext>
    where TDbContext : DbContext
{
    void Publish<T>(Guid workflowId, T message)
        where T : class;

    /// <param name="requestId">When the message answers a request, the request's id (the requester matches on it).</param>
    void Send<T>(Guid workflowId, Uri destination, T message, Guid? requestId = null)
        where T : class;
}
