using Etter.AiAssessment;
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

/// <summary>
/// A finished assessment keeps offering its outcome to the broker until it is taken, however long the broker
/// refuses it: giving up would leave the attempt to the orchestrator's heartbeat timeout, which runs the
/// engine again. Time is fake; each refusal is observed before the clock moves on, so nothing sleeps.
/// </summary>
public sealed class AssessmentOutcomeRetrySpecs : IAsyncLifetime
{
    /// <summary>More refusals than the runner has backoff steps, so a runner that gave up would fail this.</summary>
    const int Refusals = 9;

    readonly TempDirectory _directory = new();
    readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    readonly RefuseOutcomes _refuse = new(Refusals);
    ServiceProvider _provider = null!;

    ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    /// <summary>Plays a broker that rejects the first few outcome publishes, as during a node failover.</summary>
    sealed class RefuseOutcomes(int count) : IFilter<PublishContext>
    {
        int _left = count;

        public SemaphoreSlim Refused { get; } = new(0);

        public Task Send(PublishContext context, IPipe<PublishContext> next)
        {
            if (context is PublishContext<AiAssessmentCompleted> && Interlocked.Decrement(ref _left) >= 0)
            {
                Refused.Release();
                throw new InvalidOperationException("Message rejected by broker.");
            }

            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("refuse-outcomes");
    }

    public async Task InitializeAsync()
    {
        var configuration = EmbeddedConfiguration.For(_directory.Path, new Dictionary<string, string?> { ["Etter:Assessment:HeartbeatInterval"] = "00:10:00" });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, StartedLifetime>();
        services.AddAiAssessment(configuration);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddAiAssessmentComponents();
            bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(1));
            bus.UsingInMemory((context, cfg) =>
            {
                cfg.ConfigurePublish(publish => publish.UseFilter(_refuse));
                cfg.ConfigureEndpoints(context);
            });
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
        await Harness.Stop();
        await _provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task BrokerRefusesTheOutcomeManyTimes_ItIsPublishedOnceTheBrokerTakesIt()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(new AssessRole
        {
            WorkflowId = id,
            Attempt = 1,
            RoleId = "role-1",
            CompanyId = "Liberty Mutual",
            RoleName = "Claims Adjuster",
            JobDescriptionMarkdown = Messages.SampleJd,
            Engine = "mock",
        });

        for (var refusal = 1; refusal <= Refusals; refusal++)
        {
            Assert.True(await _refuse.Refused.WaitAsync(TimeSpan.FromSeconds(30)), $"refusal {refusal} never came: the runner stopped offering the outcome");

            // Past the longest backoff step, whichever step this retry is on.
            _time.Advance(TimeSpan.FromSeconds(16));
        }

        Assert.True(await Harness.Published.Any<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id && x.Exception is null));
        await using var scope = _provider.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<AssessmentDbContext>().Set<AssessmentRunEntity>().SingleAsync(r => r.WorkflowId == id);
        Assert.Equal(AssessmentRunStatus.Completed, run.Status);
    }
}
