using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Tests.Support;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Orchestrator.Tests.Saga;

/// <summary>
/// One destination the broker refuses (a queue without a leader during a node failover) must not hold back
/// the saga's other messages, and what it holds back must still go out in order once the broker takes it.
/// </summary>
public sealed class OutboxIsolationTests : IAsyncLifetime
{
    readonly RefuseStatusChanges _refuse = new();
    SagaHarness _saga = null!;

    /// <summary>Rejects status events while switched on, as a broker rejects publishes to an unavailable queue.</summary>
    sealed class RefuseStatusChanges : IFilter<PublishContext>
    {
        public volatile bool On = true;

        public Task Send(PublishContext context, IPipe<PublishContext> next) =>
            On && context is PublishContext<OnboardingStateChanged>
                ? throw new InvalidOperationException("Message rejected by broker.")
                : next.Send(context);

        public void Probe(ProbeContext context) => context.CreateFilterScope("refuse-status-changes");
    }

    public async Task InitializeAsync() =>
        _saga = await SagaHarness.StartAsync(registerMore: bus => bus.UsingInMemory((context, cfg) =>
        {
            cfg.ConfigurePublish(publish => publish.UseFilter(_refuse));
            cfg.ConfigureEndpoints(context);
        }));

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    [Fact]
    public async Task OneDestinationRefused_OtherMessagesGoOutAndTheRefusedOnesFollowInOrder()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await WriteAsync(outbox =>
        {
            outbox.Publish(first, StateChanged(first, revision: 1));
            outbox.Send(first, CommandQueues.SetUpRole, new SetUpRole { WorkflowId = first, Attempt = 1, CompanyId = "c", RoleName = "r1" });
            outbox.Send(second, CommandQueues.SetUpRole, new SetUpRole { WorkflowId = second, Attempt = 1, CompanyId = "c", RoleName = "r2" });
            outbox.Publish(first, StateChanged(first, revision: 2));
        });

        // The hand-off sends both commands at once while the status events wait for the relay. Delivered rows are
        // deleted in batches, so the refused two are what remains once the batch is gone.
        Assert.True(await Eventually.TrueAsync(() => _saga.Harness.Sent.SoFar<SetUpRole>(m => m.Context.Message.WorkflowId == first).Any()));
        Assert.True(await Eventually.TrueAsync(() => _saga.Harness.Sent.SoFar<SetUpRole>(m => m.Context.Message.WorkflowId == second).Any()));
        var settle = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await OutboxRowsAsync(first) > 2 && DateTime.UtcNow < settle)
        {
            await Task.Delay(20);
        }

        Assert.Equal(2, await OutboxRowsAsync(first));

        _refuse.On = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await OutboxRowsAsync(first) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the held status events were never delivered");
            await Task.Delay(50);
        }

        var revisions = _saga.Harness.Published.SoFar<OnboardingStateChanged>(m => m.Context.Message.WorkflowId == first && m.Exception is null)
            .Select(m => m.Context.Message.Status.Revision)
            .ToList();
        Assert.Equal([1L, 2L], revisions);
    }

    static OnboardingStateChanged StateChanged(Guid workflowId, long revision) => new()
    {
        WorkflowId = workflowId,
        Status = new OnboardingStatus { WorkflowId = workflowId, Revision = revision, Status = "queued", CompanyId = "c", RoleName = "r1" },
    };

    async Task WriteAsync(Action<IOutbox<OrchestratorDbContext>> write)
    {
        await using var scope = _saga.Services.CreateAsyncScope();
        write(scope.ServiceProvider.GetRequiredService<IOutbox<OrchestratorDbContext>>());
        await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().SaveChangesAsync();
    }

    async Task<int> OutboxRowsAsync(Guid workflowId)
    {
        await using var scope = _saga.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Set<OutboxMessage>().CountAsync(x => x.WorkflowId == workflowId);
    }
}
