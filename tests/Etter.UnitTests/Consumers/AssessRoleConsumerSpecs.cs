using Etter.AiAssessment;
using Etter.Contracts;
using Etter.UnitTests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.UnitTests.Consumers;

public sealed class AssessRoleConsumerSpecs : IAsyncLifetime
{
    ServiceProvider _provider = null!;

    ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var configuration = new ConfigurationBuilder().Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddAiAssessment(configuration);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddAiAssessmentComponents();
            bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(1));
        });
        _provider = services.BuildServiceProvider();
        await Harness.Start();
    }

    public async Task DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }

    static AssessRole Command(Guid id, string? engine = "mock") => new()
    {
        WorkflowId = id,
        Attempt = 2,
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
}
