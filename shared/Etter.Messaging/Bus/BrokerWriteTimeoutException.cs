namespace Etter.Messaging.Bus;

/// <summary>The broker did not take a publish or send within the deadline; the write may or may not have landed.</summary>
public sealed class BrokerWriteTimeoutException : TimeoutException
{
    public BrokerWriteTimeoutException()
    {
    }

    public BrokerWriteTimeoutException(string message)
        : base(message)
    {
    }

    public BrokerWriteTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BrokerWriteTimeoutException(TimeSpan timeout, Exception innerException)
        : base($"The message broker did not confirm the write within {timeout.TotalSeconds:0.#} s.", innerException)
    {
    }
}
