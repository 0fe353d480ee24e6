namespace Etter.TestSupport;

/// <summary>
/// Waits for something a test expects to happen. MassTransit's harness answers Any/SelectAsync once the bus has
/// been quiet for its inactivity window, which on a busy machine can end before a slow consumer finishes; a
/// positive expectation polls here instead, up to a generous deadline.
/// </summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
