namespace Etter.Messaging.Outbox;

/// <summary>A relay pass could send none of its batch; the rows stay in the outbox for the next pass.</summary>
public sealed class OutboxDeliveryException : Exception
{
    public OutboxDeliveryException()
    {
    }

    public OutboxDeliveryException(string message)
        : base(message)
    {
    }

    public OutboxDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
