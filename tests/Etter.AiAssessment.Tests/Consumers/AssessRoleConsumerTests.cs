using Etter.AiAssessment.Engines;
using Etter.Contracts;
using Etter.TestSupport;
using Etter.AiAssessment.Tests.Support;
using MassTransit;
using MassTransit.Testing;

namespace Etter.AiAssessment.Tests.Consumers;

public sealed class AssessRoleConsumerTests : IAsyncLifetime
{
    readonly BlockingEngine _slowEngine = new();
    AiAssessmentHarness _assessment = null!;

    ITestHarness Harness => _assessment.Harness;

    /// <summary>An engine that runs until the test lets it finish, and counts its runs.</summary>
    sealed class BlockingEngine : IAssessmentEngine
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs;

        public string Name => "slow";

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

    [Fact]
    public async Task MockEngine_ReportsStartedThenLabelledResultForTheSameAttempt()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id));

        var started = (await Harness.Published.SelectAsync<AiAssessmentStarted>(x => x.Context.Message.WorkflowId == id).First()).Context.Message;
        var completed = (await Harness.Published.SelectAsync<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id).First()).Context.Message;
        Assert.Equal("mock", started.Engine);
        Assert.Equal(2, completed.Attempt);
        Assert.True(completed.Result.IsMock);
        Assert.Equal(3, completed.Result.TaskAnalysis.TaskCount);
        Assert.InRange(completed.Result.FinalScore, 0, 100);
    }

    [Fact]
    public async Task UnknownEngine_FailsTheStepAsNotRecoverable()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, engine: "crystal-ball"));

        var failed = (await Harness.Published.SelectAsync<AiAssessmentFailed>(x => x.Context.Message.WorkflowId == id).First()).Context.Message;
        Assert.False(failed.Error.Recoverable);
        Assert.Contains("crystal-ball", failed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameAttemptDeliveredAgain_RunsTheEngineOnceAndRepeatsTheAnswer()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, engine: "slow"));
        await Harness.Bus.Publish(Command(id, engine: "slow"));
        Assert.True(await Harness.Consumed.Any<AssessRole>(x => x.Context.Message.WorkflowId == id));
        _slowEngine.Release.TrySetResult();
        var first = (await Harness.Published.SelectAsync<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id).First()).Context.Message;

        await Harness.Bus.Publish(Command(id, engine: "slow"));

        await WaitForAsync(() => Harness.Published.Select<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id).Count() >= 2);
        var answers = Harness.Published.Select<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id).Select(x => x.Context.Message).ToList();
        Assert.Equal(1, _slowEngine.Runs);
        Assert.Single(Harness.Published.Select<AiAssessmentStarted>(x => x.Context.Message.WorkflowId == id));
        Assert.All(answers, a => Assert.Equal(first.Result.FinalScore, a.Result.FinalScore));
    }

    [Fact]
    public async Task LongRun_AcknowledgesTheCommandAndSendsHeartbeatsUntilDone()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, engine: "slow"));

        // The consumer has finished (the message is acknowledged) while the engine still runs.
        Assert.True(await Harness.Consumed.Any<AssessRole>(x => x.Context.Message.WorkflowId == id));
        await WaitForAsync(() => _slowEngine.Runs == 1);
        for (var beat = 1; beat <= 3; beat++)
        {
            _assessment.Time.Advance(TimeSpan.FromSeconds(15));
            var expected = beat;
            await WaitForAsync(() => Harness.Published.Select<AiAssessmentHeartbeat>(x => x.Context.Message.WorkflowId == id).Count() >= expected);
        }

        _slowEngine.Release.TrySetResult();
        await WaitForAsync(() => Harness.Published.Select<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id).Any());
        Assert.Equal(1, _slowEngine.Runs);
    }

    static async Task WaitForAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
