using Etter.Messaging.Bus;

namespace Etter.Shared.Tests.Messaging;

public sealed class WedgedConnectionWatchdogTests
{
    [Fact]
    public void PinnedRabbitMqClient_KeepsTheReceiveLoopWhereTheWatchdogLooks()
    {
        // Fails after a RabbitMQ.Client upgrade that moves the fields; see WedgedConnectionWatchdog's remarks.
        Assert.True(WedgedConnectionWatchdog.CanSeeInsideConnections);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(9.9, false)]
    [InlineData(10, true)]
    [InlineData(60, true)]
    public void ClosingFor_CountsAsStuckOnlyFromTheGrace(double seconds, bool stuck)
    {
        var since = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(stuck, WedgedConnectionWatchdog.IsStuck(since, since.AddSeconds(seconds), TimeSpan.FromSeconds(10)));
    }
}
