using Etter.Messaging.Bus;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using BrokerPublishException = RabbitMQ.Client.Exceptions.PublishException;

namespace Etter.Shared.Tests.Messaging;

public sealed class RejectedPublishRecoveryTests
{
    public static TheoryData<string, Exception?, bool> Failures => new()
    {
        { "a nack, as MassTransit wraps it", new RabbitMqConnectionException("BasicPublishAsync failed", new BrokerPublishException(7, isReturn: false)), true },
        { "a bare nack", new BrokerPublishException(7, isReturn: false), true },
        { "a nack two levels down", new InvalidOperationException("send failed", new RabbitMqConnectionException("BasicPublishAsync failed", new BrokerPublishException(7, isReturn: false))), true },
        { "an unroutable message returned", new BrokerPublishException(7, isReturn: true), false },
        { "a connection lost mid-publish", new RabbitMqConnectionException("BasicPublishAsync failed", new EndOfStreamException()), false },
        { "a write that ran out of time", new BrokerWriteTimeoutException(TimeSpan.FromSeconds(5), new TaskCanceledException()), false },
        { "nothing", null, false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void SendFailure_IsARejectedPublishOnlyWhenTheBrokerNackedIt(string failure, Exception? exception, bool rejected)
    {
        Assert.True(RejectedPublishRecovery.IsRejectedPublish(exception) == rejected, failure);
    }

    public static TheoryData<int?, int, bool> Reconnects => new()
    {
        // Seconds since some origin: the last reconnect, now, and whether another may start (cooldown 5 s).
        { null, 0, true },
        { 0, 1, false },
        { 0, 4, false },
        { 0, 5, true },
        { 0, 60, true },
    };

    [Theory]
    [MemberData(nameof(Reconnects))]
    public void LastReconnect_AllowsTheNextOnlyAfterTheCooldown(int? lastSecond, int nowSecond, bool due)
    {
        var origin = DateTimeOffset.UnixEpoch;
        var last = lastSecond is { } s ? origin.AddSeconds(s) : (DateTimeOffset?)null;

        Assert.Equal(due, RejectedPublishRecovery.IsDue(last, origin.AddSeconds(nowSecond), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void RejectionsInABurst_StartOneReconnectPerCooldown()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var services = new ServiceCollection().BuildServiceProvider();
        var recovery = new RejectedPublishRecovery(services, time, NullLogger<RejectedPublishRecovery>.Instance);
        var nack = new RabbitMqConnectionException("BasicPublishAsync failed", new BrokerPublishException(1, isReturn: false));

        var burst = Enumerable.Range(0, 10).Count(_ => recovery.ShouldReconnect(nack));
        var lostConnection = recovery.ShouldReconnect(new RabbitMqConnectionException("BasicPublishAsync failed", new EndOfStreamException()));
        time.Advance(RejectedPublishRecovery.Cooldown - TimeSpan.FromMilliseconds(1));
        var justBefore = recovery.ShouldReconnect(nack);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var after = recovery.ShouldReconnect(nack);

        Assert.Equal(1, burst);
        Assert.False(lostConnection);
        Assert.False(justBefore);
        Assert.True(after);
    }
}
