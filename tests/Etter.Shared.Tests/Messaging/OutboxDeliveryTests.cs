using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;

namespace Etter.Shared.Tests.Messaging;

/// <summary>Which messages need an outbox row: those a crash of this process could otherwise lose.</summary>
public sealed class OutboxDeliveryTests
{
    [Theory]
    [InlineData("loopback://localhost/etter-role-setup", false, false, false)] // a command on the in-memory bus: its step must still run after a restart
    [InlineData("loopback://localhost/response-queue", true, false, true)] // an answer on the in-memory bus: its requester dies with this process
    [InlineData("rabbitmq://localhost/response-queue", true, true, false)] // an answer on RabbitMQ: the requester may be another process
    [InlineData("rabbitmq://localhost/etter-role-setup", false, true, false)] // a command on RabbitMQ
    [InlineData("memory:status", false, true, true)] // a destination in this process's memory, whatever the bus
    [InlineData("kept:status", false, false, false)] // a destination that outlives the process, whatever the bus
    public void Destination_IsInProcessOnlyWhenACrashWouldLoseItAnyway(string destination, bool isResponse, bool busSurvivesRestart, bool inProcessOnly)
    {
        var delivery = new OutboxDelivery(null!, [new Destination("memory", outlivesProcess: false), new Destination("kept", outlivesProcess: true)], new BusDurability(busSurvivesRestart));

        Assert.Equal(inProcessOnly, delivery.IsInProcessOnly(new Uri(destination), isResponse));
    }

    [Fact]
    public void AnswerWithoutKnowingTheBus_KeepsItsRow()
    {
        var delivery = new OutboxDelivery(null!, []);

        Assert.False(delivery.IsInProcessOnly(new Uri("loopback://localhost/response-queue"), isResponse: true));
    }

    sealed class Destination(string scheme, bool outlivesProcess) : IOutboxDestination
    {
        public string Scheme => scheme;

        public bool OutlivesProcess => outlivesProcess;

        public Task DeliverAsync(Guid workflowId, object message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
