using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Orchestrator.Saga;
using Etter.Orchestrator.Tests.Support;
using Etter.StatusStore;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Orchestrator.Tests.Saga;

public sealed class OnboardingStateMachineTests : IAsyncLifetime
{
    SagaHarness _saga = null!;

    public async Task InitializeAsync() => _saga = await SagaHarness.StartAsync();

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    ITestHarness Harness => _saga.Harness;

    /// <summary>Plays the RoleSetup service: answers the saga's command the way the real consumer does.</summary>
    async Task CompleteRoleSetupAsync(Guid id, bool withJd = true)
    {
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);
        await Harness.Bus.Publish(Messages.RoleSetupCompleted(id, withJd: withJd));
        await _saga.WaitForAsync(id, s => s.RoleSetup.Status == StepStatuses.Completed);
    }

    [Fact]
    public async Task HappyPath_EndsReadyInThreeTransitionsWithScoreAndStepTimings()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));

        // Admitted in the transaction that records the request: role_setup is on its way at once.
        var requested = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt == 1);
        Assert.Equal(1, requested.Revision);
        Assert.False(requested.AwaitingAdmission);
        Assert.NotNull(requested.AdmissionSlot);
        Assert.NotEmpty(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id && m.Attempt == 1));

        var roleSetupStarted = DateTimeOffset.UtcNow.AddMilliseconds(-250);
        await Harness.Bus.Publish(Messages.RoleSetupCompleted(id) with { StartedAt = roleSetupStarted });
        await _saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
        Assert.NotEmpty(await _saga.SentAsync<AssessRole>(m => m.WorkflowId == id));
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id, score: 61));

        var state = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Ready.Name);
        Assert.Equal(3, state.Revision);
        Assert.Equal(61, state.FinalScore);
        Assert.Equal("role-1", state.RoleId);
        Assert.Equal(StepStatuses.Completed, state.RoleSetup.Status);
        Assert.Equal(StepStatuses.Completed, state.AiAssessment.Status);
        // The worker's start time, as stored (SQLite keeps times to the millisecond here).
        Assert.InRange((state.RoleSetup.StartedAt!.Value - roleSetupStarted).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Equal(state.RoleSetup.StartedAt, state.StartedAt);
        Assert.NotNull(state.AiAssessment.CompletedAt);
        Assert.Null(state.ErrorCode);

        // A finished workflow gives back its company slot and its role's in-flight claim.
        Assert.Null(state.AdmissionSlot);
        Assert.Null(state.InFlightKey);
    }

    [Fact]
    public async Task EveryTransition_ReachesTheStatusStoreWithRisingRevisionAndOneStateChangedAtTheEnd()
    {
        var id = Guid.NewGuid();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<OnboardingStatus>();
        _saga.Services.GetRequiredService<InMemoryWorkflowStatusStore>().Changed += status =>
        {
            if (status.WorkflowId == id)
            {
                seen.Enqueue(status);
            }
        };
        await Harness.Bus.Publish(Messages.Onboard(id));
        await CompleteRoleSetupAsync(id);
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id));
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Ready.Name);

        await _saga.DrainOutboxAsync();
        var statuses = seen.OrderBy(s => s.Revision).ToList();
        Assert.Equal(["processing", "processing", "ready"], statuses.Select(c => c.Status));
        Assert.Equal([1L, 2L, 3L], statuses.Select(c => c.Revision));

        // The public event is for outside subscribers, once, when the workflow ends (Etter:Orchestrator:StateChangedEvents).
        var changed = Assert.Single(Harness.Published.SoFar<OnboardingStateChanged>(x => x.Context.Message.WorkflowId == id)).Context.Message;
        Assert.Equal("ready", changed.Status.Status);
        Assert.Equal("processing", changed.PreviousStatus);
    }

    [Fact]
    public async Task StateChangedEventsAll_PublishesEveryChange()
    {
        await using var saga = await SagaHarness.StartAsync(settings: new Dictionary<string, string?> { ["Etter:Orchestrator:StateChangedEvents"] = "All" });
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt == 1);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));

        // As the real AiAssessment service would, answer only once the assessment was asked for: published at once, the
        // completion could reach the saga before the role_setup event, and the saga rightly ignores it there.
        await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
        await saga.Harness.Bus.Publish(Messages.AssessmentCompleted(id));
        await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Ready.Name);

        await saga.DrainOutboxAsync();
        var revisions = saga.Harness.Published.SoFar<OnboardingStateChanged>(x => x.Context.Message.WorkflowId == id)
            .Select(x => x.Context.Message.Status.Revision).Order().ToList();
        Assert.Equal([1L, 2L, 3L], revisions);
    }

    [Fact]
    public async Task RoleSetupFailsNonRecoverably_EndsFailedAtRoleSetupWithItsErrorWithoutRetry()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);
        var tookIt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeMilliseconds()); // as stored
        await Harness.Bus.Publish(new RoleSetupFailed { WorkflowId = id, Attempt = 1, Error = Messages.Error("GRAPH_DOWN", recoverable: false), StartedAt = tookIt, FailedAt = DateTimeOffset.UtcNow });

        var state = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Failed.Name);
        Assert.Equal(OnboardingSteps.RoleSetup, state.FailedStep);
        Assert.Equal(tookIt, state.RoleSetup.StartedAt);
        Assert.Equal(tookIt, state.StartedAt);
        Assert.Equal(StepStatuses.Failed, state.RoleSetup.Status);
        Assert.Equal("GRAPH_DOWN", state.ErrorCode);
        Assert.False(state.ErrorRecoverable);
        Assert.Equal(StepStatuses.Pending, state.AiAssessment.Status);
        Assert.Empty(await _saga.SentAsync<AssessRole>(m => m.WorkflowId == id));
    }

    [Fact]
    public async Task AiAssessmentFails_EndsFailedAtAssessmentWithoutResendingRoleSetup()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        await CompleteRoleSetupAsync(id);
        await Harness.Bus.Publish(new AiAssessmentFailed { WorkflowId = id, Attempt = 1, Error = Messages.Error("LLM_UNAUTHORIZED", recoverable: false), FailedAt = DateTimeOffset.UtcNow });

        var state = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Failed.Name);
        Assert.Equal(OnboardingSteps.AiAssessment, state.FailedStep);
        Assert.Equal(StepStatuses.Completed, state.RoleSetup.Status);
        Assert.Equal(StepStatuses.Failed, state.AiAssessment.Status);
        Assert.False(state.ErrorRecoverable);
        Assert.Single(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id));
    }

    [Fact]
    public async Task OverlongRoleName_EndsInValidationErrorThatCannotBeRetried()
    {
        // Sent straight to the saga: it validates again because plain-JSON publishers bypass the API.
        var id = Guid.NewGuid();
        var saga = await Harness.Bus.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await saga.Send(Messages.Onboard(id) with { RoleName = new string('r', 400) });

        var state = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.ValidationError.Name);
        Assert.Equal(ErrorCodes.ValidationError, state.ErrorCode);
        Assert.False(state.ErrorRecoverable);
        Assert.Contains("role_name", state.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id));
    }

    [Fact]
    public async Task StatusQueryForUnknownId_AnswersNotFound()
    {
        var client = Harness.GetRequestClient<GetOnboardingStatus>();
        var response = await client.GetResponse<OnboardingStatus, OnboardingNotFound>(new GetOnboardingStatus { WorkflowId = Guid.NewGuid() });

        Assert.True(response.Is(out Response<OnboardingNotFound>? _));
    }

    [Fact]
    public async Task StatusQueryForKnownId_AnswersCurrentStatusWithoutChangingIt()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        var before = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);

        var client = Harness.GetRequestClient<GetOnboardingStatus>();
        var response = await client.GetResponse<OnboardingStatus, OnboardingNotFound>(new GetOnboardingStatus { WorkflowId = id });

        Assert.True(response.Is(out Response<OnboardingStatus>? found));
        Assert.Equal("processing", found!.Message.Status);
        Assert.Equal("Claims Adjuster", found.Message.RoleName);
        var after = await _saga.LoadAsync(id);
        Assert.Equal(before.Version, after!.Version);
    }

    [Fact]
    public async Task DuplicateRoleSetupCompleted_SendsAssessmentOnce()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        await CompleteRoleSetupAsync(id);
        await Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id));
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Ready.Name);
        Assert.True(await Eventually.TrueAsync(() => Harness.Consumed.SoFar<RoleSetupCompleted>(x => x.Context.Message.WorkflowId == id).Any()));
        await Harness.InactivityTask;

        Assert.Single(await _saga.SentAsync<AssessRole>(m => m.WorkflowId == id));
    }

    [Fact]
    public async Task EventFromAnotherAttempt_IsIgnored()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);

        await Harness.Bus.Publish(new RoleSetupFailed { WorkflowId = id, Attempt = 7, Error = Messages.Error("STALE", true), FailedAt = DateTimeOffset.UtcNow });
        Assert.True(await Eventually.TrueAsync(() => Harness.Consumed.SoFar<RoleSetupFailed>(x => x.Context.Message.WorkflowId == id).Any()));
        await Harness.InactivityTask;

        var state = await _saga.LoadAsync(id);
        Assert.Equal(_saga.Machine.Processing.Name, state!.CurrentState);
        Assert.Null(state.ErrorCode);
    }

    [Fact]
    public async Task LateEventAfterReady_LeavesResultUntouched()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        await CompleteRoleSetupAsync(id);
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id, score: 61));
        var ready = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Ready.Name);

        await Harness.Bus.Publish(new AiAssessmentFailed { WorkflowId = id, Attempt = 1, Error = Messages.Error("LATE", true), FailedAt = DateTimeOffset.UtcNow });
        await Harness.Bus.Publish(Messages.AssessmentCompleted(id, score: 12));
        await Harness.InactivityTask;

        var state = await _saga.LoadAsync(id);
        Assert.Equal(_saga.Machine.Ready.Name, state!.CurrentState);
        Assert.Equal(61, state.FinalScore);
        Assert.Equal(ready.Revision, state.Revision);
    }

    [Fact]
    public async Task NoJobDescription_SkipsAssessmentAndEndsDegraded()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id));
        await CompleteRoleSetupAsync(id, withJd: false);

        var state = await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Degraded.Name);
        Assert.Equal(StepStatuses.Skipped, state.AiAssessment.Status);
        Assert.Equal(OnboardingStateMachine.NoJobDescriptionReason, state.AiAssessment.SkipReason);
        Assert.Null(state.FinalScore);
        Assert.Empty(await _saga.SentAsync<AssessRole>(m => m.WorkflowId == id));
    }

    [Fact]
    public async Task Draft_WaitsForSubmitThenStarts()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Messages.Onboard(id, draft: true));
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Draft.Name);
        Assert.Empty(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id));

        await Harness.Bus.Publish(new SubmitOnboarding { WorkflowId = id, RequestedBy = "tests" });

        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);
        Assert.NotEmpty(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id));
    }

    [Fact]
    public async Task RoleWithFinishedRunsAndOneInFlight_RepushIsAnsweredWithTheOneInFlight()
    {
        // Three finished runs with inputs no push matches; the first push supersedes the newest, which leaves two
        // finished beside the one in flight: the read of the role's workflows must still find the one in flight.
        var roleKey = Etter.Onboarding.CompanyRoleId.For("Liberty Mutual", "Claims Adjuster");
        var finished = new List<Guid>();
        await using (var scope = _saga.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Etter.Orchestrator.Persistence.OrchestratorDbContext>();
            foreach (var daysAgo in new[] { 3, 2, 1 })
            {
                finished.Add(Guid.NewGuid());
                db.Workflows.Add(new OnboardingState
                {
                    CorrelationId = finished[^1],
                    CurrentState = _saga.Machine.Ready.Name,
                    CompanyId = "Liberty Mutual",
                    RoleName = "Claims Adjuster",
                    RoleKey = roleKey,
                    InputHash = $"older-inputs-{daysAgo}",
                    QueuedAt = DateTimeOffset.UtcNow.AddDays(-daysAgo),
                    Version = 1,
                });
            }

            await db.SaveChangesAsync();
        }

        var client = Harness.Bus.CreateRequestClient<OnboardRoleRequested>(CommandQueues.OnboardingSaga);
        var running = (await client.GetResponse<OnboardingAccepted>(Messages.Onboard())).Message;
        Assert.Equal(SubmissionOutcomes.Created, running.Outcome);
        Assert.Equal(finished[^1], running.Supersedes);
        await _saga.WaitForAsync(running.WorkflowId, s => s.CurrentState == _saga.Machine.Processing.Name);

        var again = (await client.GetResponse<OnboardingAccepted>(Messages.Onboard())).Message;

        Assert.Equal(SubmissionOutcomes.InFlight, again.Outcome);
        Assert.Equal(running.WorkflowId, again.WorkflowId);
    }

    [Fact]
    public async Task SameWorkflowIdPublishedManyTimesAtOnce_MakesOneWorkflow()
    {
        var id = Guid.NewGuid();
        var request = Messages.Onboard(id);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Harness.Bus.Publish(request)));
        await _saga.WaitForAsync(id, s => s.CurrentState == _saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);
        await Harness.InactivityTask;

        Assert.Single(await _saga.SentAsync<SetUpRole>(m => m.WorkflowId == id));
        Assert.Equal(1, (await _saga.LoadAsync(id))!.RoleSetup.Attempt);
    }
}
