using Etter.Messaging.Bus;
using Etter.Messaging.Bus.InProcess;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Shared.Tests.Messaging;

/// <summary>The embedded bus hands messages over as objects, with everything the JSON envelope used to carry.</summary>
public sealed class InProcessMessagesTests : IAsyncLifetime
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    readonly Received _received = new();
    ServiceProvider _services = null!;
    IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Etter:Mode"] = "Embedded" }).Build();
        var services = new ServiceCollection();
        services.AddSingleton(_received);
        services.AddEtterBus(configuration, bus =>
        {
            bus.AddConsumer<NoteConsumer>();
            bus.AddConsumer<FailingConsumer>();
            bus.AddConsumer<FaultConsumer>();
            bus.AddConsumer<QuestionConsumer>();
        });
        _services = services.BuildServiceProvider();
        _bus = _services.GetRequiredService<IBusControl>();
        using var started = new CancellationTokenSource(Wait);
        await _bus.StartAsync(started.Token);
    }

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task PublishedMessage_ArrivesAsTheSameObjectWithItsEnvelope()
    {
        var note = new Note(Guid.NewGuid(), "claims adjuster", ["triage", "settle"]);
        var correlationId = Guid.NewGuid();

        await _bus.Publish(note, context =>
        {
            context.CorrelationId = correlationId;
            context.Headers.Set("etter-test", "kept");
        });
        var (message, context) = await _received.Notes.Task.WaitAsync(Wait);

        Assert.Same(note, message);
        Assert.Equal(InProcessSerialization.InProcessContentType.MediaType, context.ReceiveContext.ContentType?.MediaType);
        Assert.Equal(correlationId, context.CorrelationId);
        Assert.NotNull(context.MessageId);
        Assert.NotNull(context.SentTime);
        Assert.NotNull(context.SourceAddress);
        Assert.Equal("kept", context.Headers.Get<string>("etter-test"));
        Assert.True(context.HasMessageType(typeof(Note)));
    }

    [Fact]
    public async Task ConsumerThatThrows_FaultCarriesTheOriginalMessage()
    {
        var order = new Breaks(Guid.NewGuid());

        await _bus.Publish(order);
        var fault = await _received.Faults.Task.WaitAsync(Wait);

        Assert.Same(order, fault.Message);
        Assert.Contains(fault.Exceptions, e => e.Message.Contains("refused on purpose", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_IsAnsweredThroughItsResponseAddress()
    {
        var client = _bus.CreateRequestClient<Question>();

        var response = await client.GetResponse<Answer>(new Question(Guid.NewGuid(), 20), new CancellationTokenSource(Wait).Token);

        Assert.Equal(21, response.Message.Value);
        Assert.Same(await _received.Answers.Task.WaitAsync(Wait), response.Message);
    }

    public sealed record Note(Guid WorkflowId, string Role, IReadOnlyList<string> Tasks);

    public sealed record Breaks(Guid WorkflowId);

    public sealed record Question(Guid WorkflowId, int Value);

    public sealed record Answer(Guid WorkflowId, int Value);

    public sealed class Received
    {
        public TaskCompletionSource<(Note, ConsumeContext<Note>)> Notes { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Fault<Breaks>> Faults { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Answer> Answers { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class NoteConsumer(Received received) : IConsumer<Note>
    {
        public Task Consume(ConsumeContext<Note> context)
        {
            received.Notes.TrySetResult((context.Message, context));
            return Task.CompletedTask;
        }
    }

    public sealed class FailingConsumer : IConsumer<Breaks>
    {
        public Task Consume(ConsumeContext<Breaks> context) => throw new InvalidOperationException("refused on purpose");
    }

    public sealed class FaultConsumer(Received received) : IConsumer<Fault<Breaks>>
    {
        public Task Consume(ConsumeContext<Fault<Breaks>> context)
        {
            received.Faults.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }

    public sealed class QuestionConsumer(Received received) : IConsumer<Question>
    {
        public Task Consume(ConsumeContext<Question> context)
        {
            var answer = new Answer(context.Message.WorkflowId, context.Message.Value + 1);
            received.Answers.TrySetResult(answer);
            return context.RespondAsync(answer);
        }
    }
}
