using MassTransit.Testing;

namespace Etter.TestSupport;

public static class PublishedMessageExtensions
{
    /// <summary>
    /// Waits for a message that goes out through an outbox. The harness's own waits end once the bus has been
    /// quiet for its inactivity timeout, and an outbox publishes after the consumer has finished, so on a busy
    /// machine those waits can give up just before the message comes.
    /// </summary>
    public static async Task<T> PublishedAsync<T>(this ITestHarness harness, Func<T, bool> filter, TimeSpan? timeout = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(harness);
        ArgumentNullException.ThrowIfNull(filter);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (harness.Published.SoFar<T>(x => x.Exception is null && filter(x.Context.Message)).FirstOrDefault() is { } published)
            {
                return published.Context.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {typeof(T).Name} was published in time.");
            }

            await Task.Delay(10);
        }
    }
}
