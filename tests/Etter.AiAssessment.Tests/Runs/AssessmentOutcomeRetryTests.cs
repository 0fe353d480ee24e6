using Etter.AiAssessment.Persistence;
using Etter.Contracts;
using Etter.TestSupport;
using Etter.AiAssessment.Tests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.AiAssessment.Tests.Runs;

/// <summary>
/// A finished assessment keeps offering its outcome to the broker until it is taken, however long the broker
/// refuses it: giving up would leave the attempt to the orchestrator's heartbeat timeout, which runs the
/// engine again. Time is fake; each refusal is observed before the clock moves on, so nothing sleeps.
/// </summary>
public sealed class AssessmentOutcomeRetryTests : IAsyncLifetime
{
    /// <summary>More refusals than the runner has backoff steps, so a runner that gave up would fail this.</summary>
    const int Refusals = 9;

    readonly RefuseOutcomes _refuse = new(Refusals);
    AiAssessmentHarness _assessment = null!;

    ITestHarness Harness => _assessment.Harness;

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

    public async Task InitializeAsync() =>
        _assessment = await AiAssessmentHarness.StartAsync(
            TimeSpan.FromMinutes(10),
            configureBus: (_, cfg) => cfg.ConfigurePublish(publish => publish.UseFilter(_refuse)));

    public async Task DisposeAsync() => await _assessment.DisposeAsync();

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
            // The clock moves a second at a time until the next offer comes: the runner may not have started its
            // backoff wait yet when the refusal is seen, and a jump made before that wait began would be lost.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!await _refuse.Refused.WaitAsync(TimeSpan.FromMilliseconds(20)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"refusal {refusal} never came: the runner stopped offering the outcome");
                _assessment.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        // The next offer is taken.
        var taken = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!_assessment.Harness.Published.Select<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id && x.Exception is null).Any())
        {
            Assert.True(DateTime.UtcNow < taken, "the outcome was never published once the broker took it");
            _assessment.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.True(await Harness.Published.Any<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id && x.Exception is null));
        await using var scope = _assessment.Services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<AssessmentDbContext>().Set<AssessmentRunEntity>().SingleAsync(r => r.WorkflowId == id);
        Assert.Equal(AssessmentRunStatus.Completed, run.Status);
    }
}
