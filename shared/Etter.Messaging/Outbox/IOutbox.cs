namespace Etter.Messaging.Outbox;

/// <summary>
/// Publishes and sends as part of the current unit of work: messages are written next to the state change
/// and go out only once it commits (then at least once, even across a crash).
/// </summary>
public interface IOutbox
{
    void Publish<T>(Guid workflowId, T message)
        where T : class;

    void Send<T>(Guid workflowId, Uri destination, T message)
        where T : class;
}
