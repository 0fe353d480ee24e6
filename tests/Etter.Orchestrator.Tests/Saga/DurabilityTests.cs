using Etter.Contracts;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Tests.Support;
using Etter.TestSupport;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Etter.Orchestrator.Tests.Saga;

/// <summary>
/// Retry policy, durable deadlines, heartbeats, redrive and cancel. Time is a FakeTimeProvider advanced by
/// the test, and the deadline sweeper is run by hand: nothing here waits for a real timer. (The hosted
/// sweeper's own timer runs on the same fake clock, so either may dispatch a due deadline first.)
/// </summary>
public sealed class DurabilityTests : IAsyncLifetime
{
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    SagaHarness _saga = null!;

    ITestHarness Harness => _saga.Harness;

    public async Task InitializeAsync() => _saga = await SagaHarness.StartAsync(
        configure: services => services.AddSingleton<TimeProvider>(_time),
        settings: new Dictionary<string, string?>
        {
            ["Etter:Orchestrator:RoleSetup:Jitter"] = "0",
            ["Etter:Orchestrator:AiAssessment:Jitter"] = "0",
            ["Etter:Orchestrator:AiAssessment:Timeout"] = "00:10:00",
            ["Etter:Orchestrator:AiAssessment:HeartbeatTimeout"] = "00:01:00",
            ["Etter:Orchestrator:WorkflowTimeout"] = "02:00:00",
        });

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    async Task<Guid> StartAsync()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);
        return id;
    }

    async Task RunRoleSetupAsync(Guid id, int attempt = 1)
    {
        await _saga.WaitForAsync(id, s => s.RoleSetup.Attempt == attempt);
        await Harness.Bus.Publish(Messages.RoleSetupCompleted(id, attempt) with { StartedAt = _time.GetUtcNow() });
        await _saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
    }

    async Task StartAssessmentAsync(Guid id, int attempt)
    {
        await Harness.Bus.Publish(new AiAssessmentStarted { WorkflowId = id, Attempt = attempt, Engine = "mock", StartedAt = _time.GetUtcNow() });
        await _saga.WaitForAsync(id, s => s.AiAssessment.Status == StepStatuses.Running && s.AiAssessment.Attempt == attempt);
    }

    async Task<int> Sent<T>(Guid id, int? attempt = null)
        where T : class =>
        (await _saga.SentAsync<T>(message => message switch
        {
            SetUpRole m => m.WorkflowId == id && (attempt is null || m.Attempt == attempt),
            AssessRole m => m.WorkflowId == id && (attempt is null || m.Attempt == attempt),
            _ => false,
        })).Count;

    [Fact]
    public async Task RecoverableRoleSetupFailure_IsRetriedAfterBackoffWithTheNextAttempt()
    {
        var id = await StartAsync();
        await Harness.Bus.Publish(new RoleSetupFailed { WorkflowId = id, Attempt = 1, Error = Messages.Error("GRAPH_BUSY", recoverable: true), FailedAt = _time.GetUtcNow() });

        var waiting = await _saga.WaitForAsync(id, s => s.Deadlines.RetryAt is not null);
        Assert.Equal(_saga.Machine.Processing.Name, waiting.CurrentState);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(1), waiting.Deadlines.RetryAt);
        Assert.Equal(StepStatuses.Failed, waiting.RoleSetup.Status);
        Assert.Equal(0, await _saga.SweepAsync());

        _time.Advance(TimeSpan.FromSeconds(1));
        await _saga.SweepAsync();

        await _saga.WaitForAsync(id, s => s.RoleSetup.Attempt == 2);
        Assert.NotEmpty(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id && m.Attempt == 2));
        await RunRoleSetupAsync(id, attempt: 2);
        Assert.Equal(1, await Sent<AssessRole>(id));
    }

    [Fact]
    public async Task NonRecoverableFailure_FailsAtOnceWithoutRetry()
    {
        var id = await StartAsync();
        await RunRoleSetupAsync(id);
        await StartAssessmentAsync(id, 1);

        await Harness.Bus.Publish(new AiAssessmentFailed { WorkflowId = id, Attempt = 1, Error = Messages.Error(ErrorCodes.Unauthorized, recoverable: false), FailedAt = _time.GetUtcNow() });

        var state = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Failed.Name);
        Assert.Null(state.Deadlines.RetryAt);
        Assert.Null(state.NextDeadlineAt);
        Assert.Equal(1, state.AiAssessment.Attempt);
    }

    [Fact]
    public async Task AssessmentRunsPastItsTimeout_TimesOutAndIsRetriedAndTheLateResultIsIgnored()
    {
        var id = await StartAsync();
        await RunRoleSetupAsync(id);
        await StartAssessmentAsync(id, 1);
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(59));
            await Harness.Bus.Publish(new AiAssessmentHeartbeat { WorkflowId = id, Attempt = 1, At = _time.GetUtcNow() });
            var expected = _time.GetUtcNow() + TimeSpan.FromMinutes(1);
            await _saga.WaitForAsync(id, s => s.Deadlines.HeartbeatAt == expected);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        await _saga.SweepAsync();
        var timedOut = await _saga.WaitForAsync(id, s => s.AiAssessment.ErrorCode == ErrorCodes.Timeout);
        Assert.NotNull(timedOut.Deadlines.RetryAt);

        _time.Advance(TimeSpan.FromSeconds(5));
        await _saga.SweepAsync();
        await _saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 2);
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id, attempt: 1, score: 12));
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id, attempt: 2, score: 61));

        var ready = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Ready.Name);
        Assert.Equal(61, ready.FinalScore);
        Assert.Equal(1, await Sent<SetUpRole>(id));
    }

    [Fact]
    public async Task CommandNeverAnswered_IsPresumedLostFromItsDispatchTimeAndSentAgain()
    {
        // No start event on this path: the attempt is bounded from when it was sent, by the start plus run timeouts.
        var id = await StartAsync();
        var dispatched = (await _saga.LoadAsync(id))!;
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10) + TimeSpan.FromMinutes(5), dispatched.Deadlines.StepAt);

        _time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _saga.SweepAsync());
        _time.Advance(TimeSpan.FromSeconds(1));
        await _saga.SweepAsync();

        var lost = await _saga.WaitForAsync(id, s => s.RoleSetup.ErrorCode == ErrorCodes.WorkerLost);
        Assert.Contains("of being sent", lost.RoleSetup.ErrorMessage, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _saga.SweepAsync();
        await _saga.WaitForAsync(id, s => s.RoleSetup.Attempt == 2);
        Assert.Equal(1, await Sent<SetUpRole>(id, attempt: 2));
    }

    [Fact]
    public async Task HeartbeatsStop_WorkerCountsAsLostAndTheStepIsRetried()
    {
        var id = await StartAsync();
        await RunRoleSetupAsync(id);
        await StartAssessmentAsync(id, 1);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await _saga.SweepAsync());
        _time.Advance(TimeSpan.FromSeconds(2));
        await _saga.SweepAsync();

        var lost = await _saga.WaitForAsync(id, s => s.AiAssessment.ErrorCode == ErrorCodes.WorkerLost);
        Assert.Equal(StepStatuses.Failed, lost.AiAssessment.Status);
        _time.Advance(TimeSpan.FromSeconds(5));
        await _saga.SweepAsync();
        await _saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 2);
        Assert.Equal(1, await Sent<AssessRole>(id, attempt: 2));
    }

    [Fact]
    public async Task RetriesExhausted_FailsRecoverablyAndRedriveRerunsOnlyTheAssessment()
    {
        var id = await StartAsync();
        await RunRoleSetupAsync(id);
        foreach (var attempt in new[] { 1, 2 })
        {
            await StartAssessmentAsync(id, attempt);
            await Harness.Bus.Publish(new AiAssessmentFailed { WorkflowId = id, Attempt = attempt, Error = Messages.Error("LLM_DOWN", recoverable: true), FailedAt = _time.GetUtcNow() });
            if (attempt == 1)
            {
                await _saga.WaitForAsync(id, s => s.Deadlines.RetryAt is not null);
                _time.Advance(TimeSpan.FromSeconds(5));
                await _saga.SweepAsync();
                await _saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 2);
            }
        }

        var failed = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Failed.Name);
        Assert.Equal("ai_assessment", failed.FailedStep);
        Assert.True(failed.ErrorRecoverable);

        await Harness.Bus.Publish(new RetryOnboarding { WorkflowId = id, RequestedBy = "support@etter" });

        // A worker hears of attempt 3 only from the AssessRole the redrive sends, after its commit; published
        // earlier, the Started event could reach the saga first and be ignored as an attempt it never asked for.
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.AiAssessment.Attempt == 3);
        await StartAssessmentAsync(id, 3);
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id, attempt: 3));

        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Ready.Name);
        Assert.Equal(1, await Sent<SetUpRole>(id));
        Assert.Equal(3, await Sent<AssessRole>(id));
        await using var scope = _saga.Services.CreateAsyncScope();
        var history = await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().History.AsNoTracking()
            .Where(h => h.WorkflowId == id).OrderBy(h => h.Id).ToListAsync();
        Assert.Equal([1, 2, 3], history.Where(h => h.Step == "ai_assessment" && h.StepStatus == StepStatuses.Running).Select(h => h.Attempt!.Value));
        Assert.Contains(history, h => h.Trigger == nameof(_saga.Machine.RetryRequested) && h.Actor == "support@etter");
    }

    [Fact]
    public async Task ForcedRedrive_RerunsEveryStep()
    {
        var id = await StartAsync();
        await Harness.Bus.Publish(new RoleSetupFailed { WorkflowId = id, Attempt = 1, Error = Messages.Error("BAD", recoverable: false), FailedAt = _time.GetUtcNow() });
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Failed.Name);

        await Harness.Bus.Publish(new RetryOnboarding { WorkflowId = id, ForceRerun = true });

        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt == 2);
        Assert.Equal(1, await Sent<SetUpRole>(id, attempt: 2));
    }

    [Fact]
    public async Task CancelWhileProcessing_EndsCancelledAndLateResultsAreIgnored()
    {
        var id = await StartAsync();
        await RunRoleSetupAsync(id);
        await StartAssessmentAsync(id, 1);

        await Harness.Bus.Publish(new CancelOnboarding { WorkflowId = id, Reason = "pushed by mistake", RequestedBy = "cs@etter" });
        var cancelled = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Cancelled.Name);
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id, attempt: 1));
        await Harness.InactivityTask;

        var state = await _saga.LoadAsync(id);
        Assert.Equal(_saga.Machine.Cancelled.Name, state!.CurrentState);
        Assert.Null(state.FinalScore);
        Assert.Equal("pushed by mistake", state.CancelReason);
        Assert.Null(state.NextDeadlineAt);
        Assert.Equal(cancelled.Revision, state.Revision);
    }

    [Fact]
    public async Task WorkflowRunsPastItsOverallLimit_FailsWithWorkflowTimeout()
    {
        var id = await StartAsync();

        _time.Advance(TimeSpan.FromHours(2));
        await _saga.SweepAsync();

        var state = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Failed.Name);
        Assert.Equal(ErrorCodes.WorkflowTimeout, state.ErrorCode);
    }

    [Fact]
    public async Task CommittedButUndelivered_OutboxRowsAreDeliveredByTheRelayLater()
    {
        // A crash between commit and publish leaves the messages in the outbox table; the relay (here run by
        // hand, as a restarted process would) delivers them.
        var id = Guid.NewGuid();
        await using (var scope = _saga.Services.CreateAsyncScope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox<OrchestratorDbContext>>();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            outbox.Send(id, Etter.Messaging.Bus.CommandQueues.SetUpRole, new SetUpRole { WorkflowId = id, Attempt = 9, CompanyId = "c", RoleName = "r" });
            await db.SaveChangesAsync();
        }

        var relay = _saga.Services.GetRequiredService<OutboxRelay<OrchestratorDbContext>>();
        await relay.DeliverBatchAsync(CancellationToken.None);

        Assert.NotEmpty(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id && m.Attempt == 9));
        await using var check = _saga.Services.CreateAsyncScope();
        Assert.Equal(0, await check.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Set<OutboxMessage>().CountAsync(x => x.WorkflowId == id));
    }
}
