using Etter.Messaging.Outbox;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Etter.Shared.Tests.Messaging;

/// <summary>
/// The dispatcher's lanes: one workflow's rows in order, and replies and rows for destinations that order themselves not
/// held up behind them.
/// </summary>
public sealed class OutboxDispatcherTests : IAsyncLifetime
{
    readonly TempDirectory _directory = new();
    readonly StartedLifetime _lifetime = new();
    readonly HeldDestination _held = new();
    readonly RecordingDestination _replies = new();
    readonly RecordingDestination _inProcess = new("memory", outlivesProcess: false);
    readonly RecordingDestination _selfOrdering = new("revisioned", ordersItself: true);
    ServiceProvider _services = null!;
    OutboxDispatcher<OutboxHandoffTests.OutboxContext> _dispatcher = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddDbContext<OutboxHandoffTests.OutboxContext>(o => o.UseSqlite($"Data Source={Path.Combine(_directory.Path, "outbox.db")}"));
        _services = services.BuildServiceProvider();
        await using (var scope = _services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OutboxHandoffTests.OutboxContext>().Database.EnsureCreatedAsync();
        }

        _dispatcher = new OutboxDispatcher<OutboxHandoffTests.OutboxContext>(
            _services.GetRequiredService<IServiceScopeFactory>(),
            new OutboxDelivery(null!, [_held, _replies, _inProcess, _selfOrdering]),
            Options.Create(new OutboxOptions()),
            _lifetime,
            NullLogger<OutboxDispatcher<OutboxHandoffTests.OutboxContext>>.Instance);
        await _dispatcher.StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ReplyCommittedAfterAWorkflowsSlowRow_IsDeliveredWithoutWaitingForIt()
    {
        var workflowId = Guid.NewGuid();
        await CommitAsync(outbox =>
        {
            outbox.Send(workflowId, new Uri("held:step"), new OutboxHandoffTests.Ping("command"));
            outbox.Send(workflowId, new Uri("replies:api"), new OutboxHandoffTests.Ping("answer"), requestId: Guid.NewGuid());
        });

        // The command's delivery hangs (a slow broker confirm); the answer must not wait for it.
        var delivered = await _replies.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("answer", delivered.Text);
        Assert.False(_held.Released.Task.IsCompleted);
        Assert.True(_held.Started.Task.IsCompleted);
        _held.Released.SetResult();
    }

    [Fact]
    public async Task RowsOfOneWorkflow_AreDeliveredInCommitOrder()
    {
        var workflowId = Guid.NewGuid();
        await CommitAsync(outbox =>
        {
            outbox.Send(workflowId, new Uri("held:step"), new OutboxHandoffTests.Ping("first"));
            outbox.Send(workflowId, new Uri("replies:status"), new OutboxHandoffTests.Ping("second"));
        });

        await _held.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(_replies.Delivered.Task.IsCompleted);
        _held.Released.SetResult();
        Assert.Equal("second", (await _replies.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30))).Text);
    }

    [Fact]
    public async Task RowForADestinationThatOrdersItself_DoesNotWaitForTheWorkflowsEarlierRows()
    {
        var workflowId = Guid.NewGuid();
        await CommitAsync(outbox =>
        {
            outbox.Send(workflowId, new Uri("held:step"), new OutboxHandoffTests.Ping("command"));
            outbox.Send(workflowId, new Uri("revisioned:status"), new OutboxHandoffTests.Ping("status"));
        });

        // The command's delivery hangs (a slow broker confirm). As for the status store, whose revision check puts writes in
        // order, that is no reason for the status to wait.
        await _held.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("status", (await _selfOrdering.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30))).Text);
        Assert.False(_held.Released.Task.IsCompleted);
        _held.Released.SetResult();
    }

    [Theory]
    [InlineData("memory:status", 0)]
    [InlineData("replies:status", 1)]
    public async Task MessageCommitted_IsDeliveredWithARowOnlyIfItsDestinationOutlivesTheProcess(string destination, int rowsWritten)
    {
        var written = await CommitAsync(outbox => outbox.Send(Guid.NewGuid(), new Uri(destination), new OutboxHandoffTests.Ping("status")));

        Assert.Equal(rowsWritten, written);
        var delivered = rowsWritten == 0 ? _inProcess.Delivered : _replies.Delivered;
        Assert.Equal("status", (await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30))).Text);
    }

    [Fact]
    public async Task InProcessMessageOfAUnitThatFailedToSave_IsNeverDelivered()
    {
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OutboxHandoffTests.OutboxContext>();
            var outbox = new EfOutbox<OutboxHandoffTests.OutboxContext>(db, TimeProvider.System, new OutboxHandoff<OutboxHandoffTests.OutboxContext>(_dispatcher));
            outbox.Send(Guid.NewGuid(), new Uri("memory:status"), new OutboxHandoffTests.Ping("lost"));

            // A row the database refuses (no body) fails the whole save.
            db.Set<OutboxMessage>().Add(new OutboxMessage { MessageType = "x", Body = null! });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        // A later unit's in-process message overtakes nothing: only it arrives.
        await CommitAsync(outbox => outbox.Send(Guid.NewGuid(), new Uri("memory:status"), new OutboxHandoffTests.Ping("kept")));
        Assert.Equal("kept", (await _inProcess.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30))).Text);
    }

    /// <summary>Writes rows in one unit of work and commits it; the hand-off gives them to the dispatcher.</summary>
    /// <returns>How many rows the save wrote.</returns>
    async Task<int> CommitAsync(Action<EfOutbox<OutboxHandoffTests.OutboxContext>> write)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OutboxHandoffTests.OutboxContext>();
        write(new EfOutbox<OutboxHandoffTests.OutboxContext>(db, TimeProvider.System, new OutboxHandoff<OutboxHandoffTests.OutboxContext>(_dispatcher)));
        return await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        _held.Released.TrySetResult();
        await _dispatcher.StopAsync(CancellationToken.None);
        _dispatcher.Dispose();
        await _services.DisposeAsync();
        _lifetime.Dispose();
        _directory.Dispose();
    }

    sealed class HeldDestination : IOutboxDestination
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Scheme => "held";

        public async Task DeliverAsync(Guid workflowId, object message, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Released.Task.WaitAsync(cancellationToken);
        }
    }

    sealed class RecordingDestination(string scheme = "replies", bool outlivesProcess = true, bool ordersItself = false) : IOutboxDestination
    {
        public TaskCompletionSource<OutboxHandoffTests.Ping> Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Scheme => scheme;

        public bool OutlivesProcess => outlivesProcess;

        public bool OrdersItself => ordersItself;

        public Task DeliverAsync(Guid workflowId, object message, CancellationToken cancellationToken)
        {
            Delivered.TrySetResult((OutboxHandoffTests.Ping)message);
            return Task.CompletedTask;
        }
    }
}
