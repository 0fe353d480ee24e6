using Etter.AiAssessment;
using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Persistence;
using Etter.Contracts;
using Etter.UnitTests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Etter.UnitTests.Consumers;

public sealed class AssessRoleConsumerSpecs : IAsyncLifetime
{
    readonly TempDirectory _directory = new();
    readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    readonly BlockingEngine _slowEngine = new();
    ServiceProvider _provider = null!;

    ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

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

    public async Task InitializeAsync()
    {
        var configuration = EmbeddedConfiguration.For(_directory.Path, new Dictionary<string, string?> { ["Etter:Assessment:HeartbeatInterval"] = "00:00:15" });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, StartedLifetime>();
        services.AddAiAssessment(configuration);
        services.AddSingleton<IAssessmentEngine>(_slowEngine);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddAiAssessmentComponents();
            bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(1));
        });
        _provider = services.BuildServiceProvider();
        await using (var scope = _provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AssessmentDbContext>().Database.MigrateAsync();
        }

        await Harness.Start();
    }

    public async Task DisposeAsync()
    {
        _slowEngine.Release.TrySetResult();
        await Harness.Stop();
        await _provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
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
            _time.Advance(TimeSpan.FromSeconds(15));
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
