using Etter.Messaging.Outbox;

namespace Etter.Shared.Tests.Messaging;

/// <summary>Which messages need an outbox row: those a crash or a broker failure could otherwise lose while they still matter.</summary>
public sealed class OutboxDeliveryTests
{
    [Theory]
    [InlineData("loopback://localhost/etter-role-setup", false, false)] // a command on the in-memory bus: its step must still run after a restart
    [InlineData("loopback://localhost/response-queue", true, true)] // an answer on the in-memory bus: its requester dies with this process
    [InlineData("rabbitmq://localhost/response-queue", true, true)] // an answer on RabbitMQ: a row would reach the requester only after it stopped waiting
    [InlineData("rabbitmq://localhost/etter-role-setup", false, false)] // a command on RabbitMQ
    [InlineData("memory:status", false, true)] // a destination in this process's memory
    [InlineData("kept:status", false, false)] // a destination that outlives the process
    public void Destination_NeedsNoRowOnlyWhenARowCouldNotSaveIt(string destination, bool isResponse, bool needsNoRow)
    {
        var delivery = new OutboxDelivery(null!, [new Destination("memory", outlivesProcess: false), new Destination("kept", outlivesProcess: true)]);

        Assert.Equal(needsNoRow, delivery.NeedsNoRow(new Uri(destination), isResponse));
    }

    sealed class Destination(string scheme, bool outlivesProcess) : IOutboxDestination
    {
        public string Scheme => scheme;

        public bool OutlivesProcess => outlivesProcess;

        public Task DeliverAsync(Guid workflowId, object message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
