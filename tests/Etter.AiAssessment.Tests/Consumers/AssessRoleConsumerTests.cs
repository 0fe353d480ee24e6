using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Persistence;
using Etter.AiAssessment.Tests.Support;
using Etter.Contracts;
using Etter.Messaging.Outbox;
using Etter.TestSupport;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.AiAssessment.Tests.Consumers;

public sealed class AssessRoleConsumerTests : IAsyncLifetime
{
    readonly BlockingEngine _slowEngine = new();
    AiAssessmentHarness _assessment = null!;

    ITestHarness Harness => _assessment.Harness;

    /// <summary>A long engine (as an LLM is) that runs until the test lets it finish, and counts its runs.</summary>
    sealed class BlockingEngine : IAssessmentEngine
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs;

        public string Name => "slow";

        public bool RunsInline => false;

        public async Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Runs);
            await Release.Task;
            return new AssessmentResult { AiAutomationScore = 42, FinalScore = 42, Engine = Name };
        }
    }

    public async Task InitializeAsync() =>
        _assessment = await AiAssessmentHarness.StartAsync(TimeSpan.FromSeconds(15), [_slowEngine]);

    public async Task DisposeAsync()
    {
        _slowEngine.Release.TrySetResult();
        await _assessment.DisposeAsync();
    }

    static AssessRole Command(Guid id, string? engine = "mock", int attempt = 2) => new()
    {
        WorkflowId = id,
        Attempt = attempt,
        RoleId = "role-1",
        CompanyId = "Liberty Mutual",
        RoleName = "Claims Adjuster",
        JobDescriptionMarkdown = Messages.SampleJd,
        Engine = engine,
    };

    List<T> Published<T>(Guid id)
        where T : class =>
        [.. Harness.Published.SoFar<T>(x => x.Exception is null && WorkflowOf(x.Context.Message) == id).Select(x => x.Context.Message)];

    static Guid WorkflowOf(object message) => message switch
    {
        AiAssessmentCompleted m => m.WorkflowId,
        AiAssessmentFailed m => m.WorkflowId,
        AiAssessmentStarted m => m.WorkflowId,
        AiAssessmentHeartbeat m => m.WorkflowId,
        _ => Guid.Empty,
    };

    async Task<T> InDbAsync<T>(Func<AssessmentDbContext, Task<T>> query)
    {
        await using var scope = _assessment.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AssessmentDbContext>());
    }

    [Fact]
    public async Task QuickEngine_ReportsOneLabelledOutcomeWithItsStartTimeAndNoStart()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id));

        var completed = await Harness.PublishedAsync<AiAssessmentCompleted>(x => x.WorkflowId == id);
        Assert.Equal(2, completed.Attempt);
        Assert.True(completed.Result.IsMock);
        Assert.Equal(3, completed.Result.TaskAnalysis.TaskCount);
        Assert.InRange(completed.Result.FinalScore, 0, 100);
        Assert.Equal(_assessment.Time.GetUtcNow(), completed.StartedAt);

        await WaitForAsync(async () => await InDbAsync(db => db.Set<OutboxMessage>().CountAsync()) == 0);
        Assert.Single(Published<AiAssessmentCompleted>(id));
        Assert.False(await Harness.Published.Any<AiAssessmentStarted>(x => x.Context.Message.WorkflowId == id));
        Assert.Empty(Published<AiAssessmentHeartbeat>(id));
        var run = await InDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.WorkflowId == id));
        Assert.Equal(AssessmentRunStatus.Completed, run.Status);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task UnknownEngine_FailsTheStepAsNotRecoverable()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, engine: "crystal-ball"));

        var failed = await Harness.PublishedAsync<AiAssessmentFailed>(x => x.WorkflowId == id);
        Assert.False(failed.Error.Recoverable);
        Assert.Contains("crystal-ball", failed.Error.Message, StringComparison.Ordinal);
        Assert.NotEqual(default, failed.StartedAt);
    }

    [Fact]
    public async Task QuickEngineDeliveredAgain_AnswersWithTheRecordedOutcome()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id));
        var first = await Harness.PublishedAsync<AiAssessmentCompleted>(x => x.WorkflowId == id);

        // Later, so an outcome computed again would carry other times.
        _assessment.Time.Advance(TimeSpan.FromMinutes(1));
        await Harness.Bus.Publish(Command(id));

        await WaitForAsync(() => Task.FromResult(Published<AiAssessmentCompleted>(id).Count >= 2));
        Assert.All(Published<AiAssessmentCompleted>(id), answer =>
        {
            Assert.Equal(first.StartedAt, answer.StartedAt);
            Assert.Equal(first.CompletedAt, answer.CompletedAt);
        });
        Assert.Equal(1, await InDbAsync(db => db.Runs.CountAsync(r => r.WorkflowId == id)));
    }

    [Fact]
    public async Task LongRun_ReportsStartedAfterTheGraceThenHeartbeatsThenItsOutcome()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, engine: "slow"));

        // The consumer has finished (the message is acknowledged) while the engine still runs.
        Assert.True(await Harness.Consumed.Any<AssessRole>(x => x.Context.Message.WorkflowId == id));
        await WaitForAsync(() => Task.FromResult(_slowEngine.Runs == 1));
        Assert.Empty(Published<AiAssessmentStarted>(id));

        await AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => Published<AiAssessmentStarted>(id).Count == 1);
        var started = Published<AiAssessmentStarted>(id).Single();
        Assert.Equal("slow", started.Engine);
        for (var beat = 1; beat <= 3; beat++)
        {
            var expected = beat;
            await AdvanceUntilAsync(TimeSpan.FromSeconds(15), () => Published<AiAssessmentHeartbeat>(id).Count >= expected);
        }

        _slowEngine.Release.TrySetResult();
        await WaitForAsync(() => Task.FromResult(Published<AiAssessmentCompleted>(id).Count == 1));
        Assert.Equal(started.StartedAt, Published<AiAssessmentCompleted>(id).Single().StartedAt);
        Assert.Equal(1, _slowEngine.Runs);
        Assert.Single(Published<AiAssessmentStarted>(id));
    }

    [Fact]
    public async Task LongRunEndingWithinTheGrace_NeverReportsStarted()
    {
        _slowEngine.Release.TrySetResult();
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, engine: "slow"));

        await WaitForAsync(() => Task.FromResult(Published<AiAssessmentCompleted>(id).Count == 1));
        _assessment.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await Harness.Published.Any<AiAssessmentStarted>(x => x.Context.Message.WorkflowId == id));
        Assert.Empty(Published<AiAssessmentHeartbeat>(id));
    }

    [Fact]
    public async Task LongRunDeliveredAgain_RunsTheEngineOnceAndRepeatsTheAnswer()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, engine: "slow"));
        await Harness.Bus.Publish(Command(id, engine: "slow"));

        // Both deliveries handled while the first run still holds the engine (not the harness's 1 s inactivity guess).
        await WaitForAsync(() => Task.FromResult(Harness.Consumed.SoFar<AssessRole>(x => x.Context.Message.WorkflowId == id).Count() == 2));
        _slowEngine.Release.TrySetResult();
        var first = await Harness.PublishedAsync<AiAssessmentCompleted>(x => x.WorkflowId == id);

        await Harness.Bus.Publish(Command(id, engine: "slow"));

        await WaitForAsync(() => Task.FromResult(Published<AiAssessmentCompleted>(id).Count >= 2));
        Assert.Equal(1, _slowEngine.Runs);
        Assert.All(Published<AiAssessmentCompleted>(id), a => Assert.Equal(first.Result.FinalScore, a.Result.FinalScore));
    }

    /// <summary>
    /// Moves the fake clock a step at a time until <paramref name="condition"/> holds: a step made before the runner
    /// set its timer would be lost, so one step is never enough.
    /// </summary>
    async Task AdvanceUntilAsync(TimeSpan step, Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            _assessment.Time.Advance(step);
            await Task.Delay(20, cts.Token);
        }
    }

    static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
