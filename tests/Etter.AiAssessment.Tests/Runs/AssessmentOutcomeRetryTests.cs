using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Persistence;
using Etter.AiAssessment.Tests.Support;
using Etter.Contracts;
using Etter.Messaging.Outbox;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.AiAssessment.Tests.Runs;

/// <summary>
/// A finished long run's outcome is stored with its outbox row, so a broker that refuses it (as during a node
/// failover) only delays it: the relay delivers it later. Losing it would leave the attempt to the orchestrator's
/// heartbeat timeout, which runs the engine again. The relay follows the fake clock, which the test moves.
/// </summary>
public sealed class AssessmentOutcomeRetryTests : IAsyncLifetime
{
    /// <summary>The hand-off's delivery and the relay's first pass are both refused.</summary>
    const int Refusals = 2;

    readonly RefuseOutcomes _refuse = new(Refusals);
    readonly LongEngine _engine = new();
    AiAssessmentHarness _assessment = null!;

    ITestHarness Harness => _assessment.Harness;

    /// <summary>Plays a broker that rejects the first few outcome publishes.</summary>
    sealed class RefuseOutcomes(int count) : IFilter<PublishContext>
    {
        int _left = count;
        int _refused;

        public int Refused => Volatile.Read(ref _refused);

        public Task Send(PublishContext context, IPipe<PublishContext> next)
        {
            if (context is PublishContext<AiAssessmentCompleted> && Interlocked.Decrement(ref _left) >= 0)
            {
                Interlocked.Increment(ref _refused);
                throw new InvalidOperationException("Message rejected by broker.");
            }

            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("refuse-outcomes");
    }

    /// <summary>An engine run off the message (as an LLM is) that happens to answer at once.</summary>
    sealed class LongEngine : IAssessmentEngine
    {
        public int Runs;

        public string Name => "long";

        public bool RunsInline => false;

        public Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Runs);
            return Task.FromResult(new AssessmentResult { AiAutomationScore = 42, FinalScore = 42, Engine = Name });
        }
    }

    public async Task InitializeAsync() =>
        _assessment = await AiAssessmentHarness.StartAsync(
            TimeSpan.FromMinutes(10),
            [_engine],
            configureBus: (_, cfg) => cfg.ConfigurePublish(publish => publish.UseFilter(_refuse)),
            settings: new Dictionary<string, string?>
            {
                ["Etter:Outbox:HandoffGrace"] = "00:00:02",
                ["Etter:Outbox:PollInterval"] = "00:00:01",
            });

    public async Task DisposeAsync() => await _assessment.DisposeAsync();

    [Fact]
    public async Task BrokerRefusesTheOutcome_TheOutboxDeliversItLater()
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
            Engine = "long",
        });

        // The clock moves a second at a time: the relay polls and ages rows by it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Harness.Published.SoFar<AiAssessmentCompleted>(x => x.Context.Message.WorkflowId == id && x.Exception is null).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the outcome was never delivered ({_refuse.Refused} refusals seen)");
            _assessment.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.Equal(Refusals, _refuse.Refused);
        Assert.Equal(1, _engine.Runs);
        await using var scope = _assessment.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentDbContext>();
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.WorkflowId == id);
        Assert.Equal(AssessmentRunStatus.Completed, run.Status);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await db.Set<OutboxMessage>().CountAsync(cts.Token) > 0)
        {
            await Task.Delay(20, cts.Token);
        }
    }
}
