using MassTransit;

namespace Etter.Messaging.Bus;

/// <summary>
/// Every publish and send in Etter goes through these, with a deadline. RabbitMQ.Client 7 can leave a publisher
/// confirm pending for good when the connection drops mid-publish (rabbitmq/rabbitmq-dotnet-client#1930), and
/// MassTransit waits for that confirm on the caller's token only. Unbounded, such a wait parks a consumer forever,
/// and a receive endpoint does not restart after a reconnect until its consumers finish, so one lost confirm
/// stalls a whole queue. Bounded, the write fails with <see cref="BrokerWriteTimeoutException"/> and the normal
/// paths take over: the outbox keeps the row, a consumer's message is redelivered, a caller gets an error.
/// The Roslyn banned-API list (BannedSymbols.txt) keeps the unbounded overloads out of service code.
/// </summary>
public static class BoundedBrokerWrites
{
    /// <summary>
    /// A healthy broker confirms in milliseconds, and a broker restart takes a few seconds; past this the
    /// confirm is taken as lost.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static Task PublishBoundedAsync<T>(this IPublishEndpoint endpoint, T message, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(endpoint);
#pragma warning disable RS0030 // This is the one place the unbounded overload is called, with a deadline.
        return WithDeadlineAsync(token => endpoint.Publish(message, token), DefaultTimeout, cancellationToken);
#pragma warning restore RS0030
    }

    public static Task PublishBoundedAsync(this IPublishEndpoint endpoint, object message, Type messageType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
#pragma warning disable RS0030 // This is the one place the unbounded overload is called, with a deadline.
        return WithDeadlineAsync(token => endpoint.Publish(message, messageType, token), DefaultTimeout, cancellationToken);
#pragma warning restore RS0030
    }

    public static Task SendBoundedAsync<T>(this ISendEndpoint endpoint, T message, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(endpoint);
#pragma warning disable RS0030 // This is the one place the unbounded overload is called, with a deadline.
        return WithDeadlineAsync(token => endpoint.Send(message, token), DefaultTimeout, cancellationToken);
#pragma warning restore RS0030
    }

    public static Task SendBoundedAsync(this ISendEndpoint endpoint, object message, Type messageType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
#pragma warning disable RS0030 // This is the one place the unbounded overload is called, with a deadline.
        return WithDeadlineAsync(token => endpoint.Send(message, messageType, token), DefaultTimeout, cancellationToken);
#pragma warning restore RS0030
    }

    /// <param name="configure">Sets envelope fields before the write, e.g. the request id of a reply.</param>
    public static Task SendBoundedAsync(this ISendEndpoint endpoint, object message, Type messageType, Action<SendContext> configure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var pipe = Pipe.Execute(configure);
        return WithDeadlineAsync(token => endpoint.Send(message, messageType, pipe, token), DefaultTimeout, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="write"/> with a token that fires after <paramref name="timeout"/>. A write cut off by the
    /// deadline surfaces as <see cref="BrokerWriteTimeoutException"/>, not as a cancellation, so retry loops that stop
    /// on cancellation still retry it; the caller's own cancellation stays a cancellation.
    /// </summary>
    public static async Task WithDeadlineAsync(Func<CancellationToken, Task> write, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await write(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BrokerWriteTimeoutException(timeout, ex);
        }
    }
}
