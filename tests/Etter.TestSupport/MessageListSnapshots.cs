using MassTransit.Testing;

namespace Etter.TestSupport;

/// <summary>
/// What the test harness has seen so far, without waiting. MassTransit's synchronous <c>Select</c> goes on to wait for
/// more messages once it has returned the ones it holds, and while it waits it holds the list's lock; if the harness's
/// inactivity timer fires then, the timer's callback needs that lock and <c>Select</c>'s cleanup waits for the callback,
/// and the test hangs for good (seen in CI as a 15-minute hang). Given a token that is already cancelled, <c>Select</c>
/// returns what it holds and stops before it waits or registers anything. Tests poll these snapshots instead.
/// </summary>
public static class MessageListSnapshots
{
    static readonly CancellationToken Now = new(canceled: true);

    public static List<IPublishedMessage<T>> SoFar<T>(this IPublishedMessageList list, Func<IPublishedMessage<T>, bool>? filter = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(list);
#pragma warning disable RS0030 // The waiting overload, called so that it cannot wait.
        return Snapshot((f, now) => list.Select(f, now), filter);
#pragma warning restore RS0030
    }

    public static List<IReceivedMessage<T>> SoFar<T>(this IReceivedMessageList list, Func<IReceivedMessage<T>, bool>? filter = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(list);
#pragma warning disable RS0030 // The waiting overload, called so that it cannot wait.
        return Snapshot((f, now) => list.Select(f, now), filter);
#pragma warning restore RS0030
    }

    public static List<ISentMessage<T>> SoFar<T>(this ISentMessageList list, Func<ISentMessage<T>, bool>? filter = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(list);
#pragma warning disable RS0030 // The waiting overload, called so that it cannot wait.
        return Snapshot((f, now) => list.Select(f, now), filter);
#pragma warning restore RS0030
    }

    /// <summary>The three lists share no interface for <c>Select</c>; each passes its own, and this calls it with <see cref="Now"/>.</summary>
    static List<TEntry> Snapshot<TEntry>(Func<FilterDelegate<TEntry>, CancellationToken, IEnumerable<TEntry>> select, Func<TEntry, bool>? filter)
        where TEntry : class =>
        [.. select(entry => filter?.Invoke(entry) ?? true, Now)];
}
