using Etter.Contracts;
using Etter.Orchestrator.Saga;
using Etter.Orchestrator.Saga.Decisions;
using Etter.Orchestrator.Submission;
using Etter.ReadModel;

namespace Etter.Orchestrator.Tests.Decisions;

/// <summary>The saga's decisions as pure functions, case by case: no bus, no database.</summary>
public sealed class DecisionRulesTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    static readonly OrchestratorOptions Options = new();

    // --- RetryRules -------------------------------------------------------------------------------------------

    public static TheoryData<bool, int, int, bool> RetryCases => new()
    {
        // recoverable, attempts this run, max attempts, retried?
        { true, 1, 3, true },
        { true, 2, 3, true },
        { true, 3, 3, false },
        { true, 4, 3, false },
        { false, 1, 3, false },
        { true, 1, 1, false },
    };

    [Theory]
    [MemberData(nameof(RetryCases))]
    public void FailedAttempt_IsRetriedOnlyWhileRecoverableAndAttemptsRemain(bool recoverable, int attempts, int maxAttempts, bool retried)
    {
        var policy = new StepPolicy { MaxAttempts = maxAttempts, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30), Jitter = 0 };

        var decision = RetryRules.Decide(Error("X", recoverable), attempts, policy, Now, random: 0.5);

        Assert.Equal(retried, decision is RetryDecision.RetryAt);
    }

    public static TheoryData<int, double, double> BackoffCases => new()
    {
        // attempts this run (the failed one included), random in [0,1), expected delay in seconds (initial 1 s, x2, max 5 s, jitter 20%)
        { 1, 0.5, 1 },
        { 2, 0.5, 2 },
        { 3, 0.5, 4 },
        { 4, 0.5, 5 },
        { 1, 0.0, 0.8 },
        { 1, 0.999999, 1.2 },
    };

    [Theory]
    [MemberData(nameof(BackoffCases))]
    public void RetryTime_FollowsTheBackoffWithJitter(int attempts, double random, double seconds)
    {
        var policy = new StepPolicy { MaxAttempts = 10, InitialDelay = TimeSpan.FromSeconds(1), Multiplier = 2, MaxDelay = TimeSpan.FromSeconds(5), Jitter = 0.2 };

        var decision = Assert.IsType<RetryDecision.RetryAt>(RetryRules.Decide(Error("X", recoverable: true), attempts, policy, Now, random));

        Assert.Equal(seconds, (decision.At - Now).TotalSeconds, precision: 3);
    }

    [Fact]
    public void LastAttemptFails_GiveUpSaysHowManyAttemptsWereSpent()
    {
        var decision = Assert.IsType<RetryDecision.GiveUp>(RetryRules.Decide(Error("GRAPH_BUSY", recoverable: true), 3, new StepPolicy { MaxAttempts = 3 }, Now, 0.5));

        Assert.Equal("GRAPH_BUSY", decision.Error.Code);
        Assert.EndsWith("(gave up after 3 attempts)", decision.Error.Message, StringComparison.Ordinal);
        Assert.True(decision.Error.Recoverable);
    }

    [Fact]
    public void NonRecoverableFirstAttempt_GiveUpKeepsTheMessageAsIs()
    {
        var decision = Assert.IsType<RetryDecision.GiveUp>(RetryRules.Decide(Error("BAD", recoverable: false), 1, new StepPolicy { MaxAttempts = 3 }, Now, 0.5));

        Assert.Equal("BAD happened", decision.Error.Message);
    }

    // --- DeadlineRules ----------------------------------------------------------------------------------------

    public enum Expect
    {
        Nothing,
        WorkflowTimedOut,
        RetryRoleSetup,
        RetryAssessment,
        LostTimeout,
        LostNeverFinished,
        LostHeartbeat,
    }

    public static TheoryData<string, Expect> DeadlineCases => new()
    {
        { "nothing armed", Expect.Nothing },
        { "workflow limit passed", Expect.WorkflowTimedOut },
        { "workflow limit passed while a retry is due", Expect.WorkflowTimedOut },
        { "role_setup retry due", Expect.RetryRoleSetup },
        { "ai_assessment retry due", Expect.RetryAssessment },
        { "retry not yet due", Expect.Nothing },
        { "running past its timeout", Expect.LostTimeout },
        { "running past its timeout and heartbeat", Expect.LostTimeout },
        { "running, heartbeats stopped", Expect.LostHeartbeat },
        { "running, all in time", Expect.Nothing },
        { "sent, never finished", Expect.LostNeverFinished },
        { "sent, still in time", Expect.Nothing },
        { "completed step, stale deadline", Expect.Nothing },
    };

    [Theory]
    [MemberData(nameof(DeadlineCases))]
    public void DueDeadlines_CallForTheRightAction(string situation, Expect expected)
    {
        var state = Situation(situation);

        var actual = Outcome(DeadlineRules.Evaluate(state, Now, Options));

        Assert.Equal(expected, actual);
    }

    static Expect Outcome(DeadlineDecision decision) => decision switch
    {
        DeadlineDecision.NothingDue => Expect.Nothing,
        DeadlineDecision.WorkflowTimedOut w when w.Error.Code == ErrorCodes.WorkflowTimeout && w.Error.Recoverable => Expect.WorkflowTimedOut,
        DeadlineDecision.RetryDue { Step: OnboardingSteps.RoleSetup } => Expect.RetryRoleSetup,
        DeadlineDecision.RetryDue { Step: OnboardingSteps.AiAssessment } => Expect.RetryAssessment,
        DeadlineDecision.AttemptLost { Error.Code: ErrorCodes.Timeout } => Expect.LostTimeout,
        DeadlineDecision.AttemptLost { Error.Code: ErrorCodes.WorkerLost } lost when lost.Error.Message.Contains("heartbeats", StringComparison.Ordinal) => Expect.LostHeartbeat,
        DeadlineDecision.AttemptLost { Error.Code: ErrorCodes.WorkerLost } => Expect.LostNeverFinished,
        _ => throw new InvalidOperationException($"unexpected decision {decision}"),
    };

    [Fact]
    public void Evaluate_ChangesNothing()
    {
        var state = Situation("running past its timeout");
        var before = System.Text.Json.JsonSerializer.Serialize(state);

        _ = DeadlineRules.Evaluate(state, Now, Options);

        Assert.Equal(before, System.Text.Json.JsonSerializer.Serialize(state));
    }

    public static TheoryData<string, Expect> AfterLostMessagesCases => new()
    {
        // Before the restart nothing was due; after it, what was in flight is lost and the retry policy takes over.
        { "running, all in time", Expect.LostHeartbeat },
        { "sent, still in time", Expect.LostNeverFinished },
        { "retry not yet due", Expect.Nothing },
        { "completed step, stale deadline", Expect.Nothing },
        { "nothing armed", Expect.Nothing },
        { "queued", Expect.Nothing },
    };

    [Theory]
    [MemberData(nameof(AfterLostMessagesCases))]
    public void RestartThatLostInFlightMessages_MakesOnlyTheAttemptInFlightDue(string situation, Expect expected)
    {
        var state = situation == "queued" ? Situation("sent, still in time") : Situation(situation);
        if (situation == "queued")
        {
            state.CurrentState = WorkflowStates.Queued;
        }

        var before = System.Text.Json.JsonSerializer.Serialize(state);

        var due = DeadlineRules.AfterLostMessages(state, Now);

        Assert.Equal(before, System.Text.Json.JsonSerializer.Serialize(state));
        Assert.Equal(expected == Expect.Nothing, due is null);
        if (due is not null)
        {
            state.Deadlines = due;
            Assert.Equal(expected, Outcome(DeadlineRules.Evaluate(state, Now, Options)));
        }
    }

    static OnboardingState Situation(string situation)
    {
        var past = Now - TimeSpan.FromSeconds(1);
        var future = Now + TimeSpan.FromMinutes(1);
        var state = new OnboardingState { CorrelationId = Guid.NewGuid(), CurrentState = WorkflowStates.Processing };
        void Running(string step)
        {
            state.CurrentStep = step;
            state.Step(step).Status = StepStatuses.Running;
            state.Step(step).Attempt = 1;
        }

        switch (situation)
        {
            case "nothing armed":
                break;
            case "workflow limit passed":
                state.Deadlines.WorkflowAt = past;
                break;
            case "workflow limit passed while a retry is due":
                state.Deadlines.WorkflowAt = past;
                state.Deadlines.RetryAt = past;
                state.Deadlines.RetryStep = OnboardingSteps.RoleSetup;
                break;
            case "role_setup retry due":
                state.Deadlines.RetryAt = past;
                state.Deadlines.RetryStep = OnboardingSteps.RoleSetup;
                break;
            case "ai_assessment retry due":
                state.Deadlines.RetryAt = past;
                state.Deadlines.RetryStep = OnboardingSteps.AiAssessment;
                break;
            case "retry not yet due":
                state.Deadlines.RetryAt = future;
                state.Deadlines.RetryStep = OnboardingSteps.RoleSetup;
                break;
            case "running past its timeout":
                Running(OnboardingSteps.AiAssessment);
                state.Deadlines.StepAt = past;
                state.Deadlines.HeartbeatAt = future;
                break;
            case "running past its timeout and heartbeat":
                Running(OnboardingSteps.AiAssessment);
                state.Deadlines.StepAt = past;
                state.Deadlines.HeartbeatAt = past;
                break;
            case "running, heartbeats stopped":
                Running(OnboardingSteps.AiAssessment);
                state.Deadlines.StepAt = future;
                state.Deadlines.HeartbeatAt = past;
                break;
            case "running, all in time":
                Running(OnboardingSteps.AiAssessment);
                state.Deadlines.StepAt = future;
                state.Deadlines.HeartbeatAt = future;
                break;
            case "sent, never finished":
                state.CurrentStep = OnboardingSteps.RoleSetup;
                state.RoleSetup.Attempt = 1;
                state.Deadlines.StepAt = past;
                break;
            case "sent, still in time":
                state.CurrentStep = OnboardingSteps.RoleSetup;
                state.RoleSetup.Attempt = 1;
                state.Deadlines.StepAt = future;
                break;
            case "completed step, stale deadline":
                state.CurrentStep = OnboardingSteps.RoleSetup;
                state.RoleSetup.Attempt = 1;
                state.RoleSetup.Status = StepStatuses.Completed;
                state.Deadlines.StepAt = past;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(situation), situation, null);
        }

        return state;
    }

    // --- RedriveRules -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData(StepStatuses.Completed, false, OnboardingSteps.AiAssessment)]
    [InlineData(StepStatuses.Completed, true, OnboardingSteps.RoleSetup)]
    [InlineData(StepStatuses.Failed, false, OnboardingSteps.RoleSetup)]
    [InlineData(StepStatuses.Failed, true, OnboardingSteps.RoleSetup)]
    [InlineData(StepStatuses.Pending, false, OnboardingSteps.RoleSetup)]
    public void Redrive_StartsAtTheFailedStepAndNeverRepeatsACompletedRoleSetupUnlessForced(string roleSetupStatus, bool force, string expected)
    {
        Assert.Equal(expected, RedriveRules.StartingStep(new StepState { Status = roleSetupStatus }, force));
    }

    // --- SubmissionRules --------------------------------------------------------------------------------------

    public enum Submitted
    {
        Invalid,
        Draft,
        StartAdmitted,
        StartQueued,
        DuplicateOfInFlight,
        DuplicateOfReady,
    }

    public static TheoryData<string, bool, Submitted> SubmissionCases => new()
    {
        // situation, has requester (the API), expected
        { "fresh role, slot free", true, Submitted.StartAdmitted },
        { "fresh role, no slot", true, Submitted.StartQueued },
        { "fresh role, slot free", false, Submitted.StartAdmitted },
        { "in flight", true, Submitted.DuplicateOfInFlight },
        { "in flight", false, Submitted.DuplicateOfInFlight },
        { "in flight, forced", true, Submitted.StartAdmitted },
        { "ready, same inputs", true, Submitted.DuplicateOfReady },
        { "ready, same inputs", false, Submitted.StartAdmitted },
        { "ready, same inputs, forced", true, Submitted.StartAdmitted },
        { "ready, other inputs", true, Submitted.StartAdmitted },
        { "degraded, same inputs", true, Submitted.StartAdmitted },
        { "ready, same inputs, batch role", true, Submitted.StartAdmitted },
        { "ready by the mock engine, same inputs", true, Submitted.StartAdmitted },
        { "ready, same inputs, mock push", true, Submitted.DuplicateOfReady },
        { "ready by the mock engine, same inputs, mock push", true, Submitted.DuplicateOfReady },
        { "draft", true, Submitted.Draft },
        { "invalid", true, Submitted.Invalid },
        { "invalid, in flight", false, Submitted.Invalid },
    };

    [Theory]
    [MemberData(nameof(SubmissionCases))]
    public void SubmittedRole_LeadsToTheRightOutcome(string situation, bool hasRequester, Submitted expected)
    {
        var (request, facts) = Submission(situation);

        var decision = SubmissionRules.Decide(request, facts, hasRequester);

        var actual = decision switch
        {
            SubmissionDecision.Invalid => Submitted.Invalid,
            SubmissionDecision.Draft => Submitted.Draft,
            SubmissionDecision.Start { Slot: not null } => Submitted.StartAdmitted,
            SubmissionDecision.Start => Submitted.StartQueued,
            SubmissionDecision.Duplicate { Outcome: SubmissionOutcomes.InFlight } => Submitted.DuplicateOfInFlight,
            SubmissionDecision.Duplicate { Outcome: SubmissionOutcomes.AlreadyReady } => Submitted.DuplicateOfReady,
            _ => throw new InvalidOperationException($"unexpected decision {decision}"),
        };
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void FinishedResultWithOtherInputs_IsSupersededByTheNewWorkflow()
    {
        var (request, facts) = Submission("ready, other inputs");

        var start = Assert.IsType<SubmissionDecision.Start>(SubmissionRules.Decide(request, facts, hasRequester: true));

        Assert.Equal(facts.LatestFinished!.WorkflowId, start.Supersedes);
    }

    [Theory]
    [InlineData("fresh role, slot free", false, true)]
    [InlineData("fresh role, slot free", true, false)]
    [InlineData("in flight", false, false)]
    [InlineData("draft", false, false)]
    [InlineData("invalid", false, false)]
    public void SlotIsClaimed_OnlyForANewWorkflowThatStartsAndNoOneOfItsCompanyWaits(string situation, bool companyHasWaiting, bool wanted)
    {
        var (request, facts) = Submission(situation);

        Assert.Equal(wanted, SubmissionRules.WantsSlot(request, facts with { Slot = null, CompanyHasWaiting = companyHasWaiting }, hasRequester: true));
    }

    static (OnboardRoleRequested Request, SubmissionFacts Facts) Submission(string situation)
    {
        var request = new OnboardRoleRequested { WorkflowId = Guid.NewGuid(), CompanyId = "Acme Corporation", RoleName = "Data Scientist", RequestedAt = Now };
        var sameHash = Etter.Onboarding.OnboardingInputHash.Compute(request);
        var mockHash = Etter.Onboarding.OnboardingInputHash.Compute(request with { Options = new OnboardingOptions { UseMockAssessment = true } });
        var existing = Guid.NewGuid();
        var forced = situation.EndsWith(", forced", StringComparison.Ordinal);
        if (forced)
        {
            request = request with { Options = new OnboardingOptions { ForceRerun = true } };
        }

        if (situation.EndsWith(", mock push", StringComparison.Ordinal))
        {
            request = request with { Options = new OnboardingOptions { UseMockAssessment = true } };
        }

        if (situation.EndsWith(", batch role", StringComparison.Ordinal))
        {
            request = request with { BatchId = "batch-0123456789ab" };
        }

        var facts = situation.Replace(", forced", "", StringComparison.Ordinal).Replace(", mock push", "", StringComparison.Ordinal).Replace(", batch role", "", StringComparison.Ordinal) switch
        {
            "ready by the mock engine, same inputs" => new SubmissionFacts { LatestFinished = new ExistingWorkflow(existing, WorkflowStates.Ready, mockHash, "r"), Slot = 0 },
            "fresh role, slot free" => new SubmissionFacts { Slot = 0 },
            "fresh role, no slot" => new SubmissionFacts(),
            "in flight" => new SubmissionFacts { InFlight = new ExistingWorkflow(existing, WorkflowStates.Processing, sameHash, null), Slot = forced ? 0 : null },
            "ready, same inputs" => new SubmissionFacts { LatestFinished = new ExistingWorkflow(existing, WorkflowStates.Ready, sameHash, "r"), Slot = 0 },
            "ready, other inputs" => new SubmissionFacts { LatestFinished = new ExistingWorkflow(existing, WorkflowStates.Ready, "other", "r"), Slot = 0 },
            "degraded, same inputs" => new SubmissionFacts { LatestFinished = new ExistingWorkflow(existing, WorkflowStates.Degraded, sameHash, "r"), Slot = 0 },
            "draft" => new SubmissionFacts(),
            "invalid" or "invalid, in flight" => new SubmissionFacts { InFlight = situation.EndsWith("in flight", StringComparison.Ordinal) ? new ExistingWorkflow(existing, WorkflowStates.Processing, null, null) : null },
            _ => throw new ArgumentOutOfRangeException(nameof(situation), situation, null),
        };
        if (situation == "draft")
        {
            request = request with { Options = new OnboardingOptions { Draft = true } };
        }

        if (situation.StartsWith("invalid", StringComparison.Ordinal))
        {
            request = request with { RoleName = new string('x', 600) };
        }

        return (request, facts);
    }

    static OnboardingError Error(string code, bool recoverable) => new() { Code = code, Message = $"{code} happened", Recoverable = recoverable };
}
