using Etter.Contracts;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Tests.Support;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Orchestrator.Tests.Persistence;

/// <summary>Our EF Core saga repository on SQLite: durable across hosts, and no update lost to a race.</summary>
public sealed class EfSagaRepositoryTests
{
    [Fact]
    public async Task SagaSaved_IsReloadedByANewHostOnTheSameFile()
    {
        using var directory = new TempDirectory();
        var id = Guid.NewGuid();
        await using var first = await SagaHarness.StartAsync(dataDirectory: directory.Path);
        await first.Harness.Bus.Publish(Messages.Onboard(id));
        await first.WaitForAsync(id, s => s.CurrentState == first.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);

        // MassTransit keeps a process-wide log context, so the first provider stays undisposed; its bus is gone.
        await first.Harness.Stop();

        await using var second = await SagaHarness.StartAsync(dataDirectory: directory.Path);
        var reloaded = await second.LoadAsync(id);
        Assert.NotNull(reloaded);
        Assert.Equal(second.Machine.Processing.Name, reloaded.CurrentState);
        Assert.Equal("Claims Adjuster", reloaded.RoleName);
        Assert.Equal(1, reloaded.RoleSetup.Attempt);

        // And the new host carries on with the workflow the old one started.
        await second.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        await second.WaitForAsync(id, s => s.RoleSetup.Status == StepStatuses.Completed && s.CurrentState == second.Machine.Processing.Name);
    }

    [Fact]
    public async Task ConcurrentWritesOfOneRow_SecondWriterGetsAConcurrencyConflict()
    {
        await using var saga = await SagaHarness.StartAsync();
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);

        await using var scopeA = saga.Services.CreateAsyncScope();
        await using var scopeB = saga.Services.CreateAsyncScope();
        var dbA = scopeA.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var dbB = scopeB.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var rowA = await dbA.Workflows.SingleAsync(x => x.CorrelationId == id);
        var rowB = await dbB.Workflows.SingleAsync(x => x.CorrelationId == id);
        rowA.Version++;
        rowA.RoleName = "A";
        rowB.Version++;
        rowB.RoleName = "B";

        await dbA.SaveChangesAsync();
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => dbB.SaveChangesAsync());
    }

    [Fact]
    public async Task FiftyEventsForOneSagaAtOnce_NoUpdateIsLost()
    {
        // Every AiAssessmentStarted for the running attempt is accepted and bumps the revision, so the final
        // revision counts exactly how many updates survived the races (conflicts are retried, not dropped).
        await using var saga = await SagaHarness.StartAsync(registerMore: bus =>
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.ConcurrentMessageLimit = 16));
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        var assessing = await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);

        var started = new AiAssessmentStarted { WorkflowId = id, Attempt = 1, Engine = "llm", StartedAt = DateTimeOffset.UtcNow };
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => saga.Harness.Bus.Publish(started)));

        var final = await saga.WaitForAsync(id, s => s.Revision == assessing.Revision + 50, TimeSpan.FromSeconds(30));
        Assert.Equal(saga.Machine.Processing.Name, final.CurrentState);
        Assert.False(await saga.Harness.Published.Any<Fault<AiAssessmentStarted>>());
    }
}
