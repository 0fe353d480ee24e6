using Etter.Contracts;
using Etter.Onboarding;
using Etter.Orchestrator.Saga.Activities;
using Etter.Orchestrator.Saga.Changes;
using Etter.Orchestrator.Saga.Decisions;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga;

/// <summary>
/// Orchestrates one role onboarding: role_setup, then ai_assessment. It does no I/O: commands and events
/// go through the transactional outbox with the state change, deadlines are stored on the row for the
/// sweeper, and results that do not belong to the attempt in flight (duplicates, late arrivals, timed-out
/// attempts) are ignored. Failed attempts are retried per step policy; only a failed step is ever re-run.
/// </summary>
public sealed class OnboardingStateMachine : MassTransitStateMachine<OnboardingState>
{
    public const string NoJobDescriptionReason = "no_jd_content";

    public OnboardingStateMachine(TimeProvider time, IOptions<OrchestratorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var policy = options.Value;
        InstanceState(x => x.CurrentState);

        // The intake consumer validates and forwards requests here; binding the saga queue to the public
        // exchange as well would deliver every request twice (and plain JSON, which the saga cannot read).
        Event(() => Requested, x =>
        {
            x.CorrelateById(m => m.Message.WorkflowId);
            x.ConfigureConsumeTopology = false;
        });
        Event(() => Submitted, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => RetryRequested, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => CancelRequested, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => StaleMarked, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => Admitted, x =>
        {
            x.CorrelateById(m => m.Message.WorkflowId);
            x.ConfigureConsumeTopology = false;
        });
        Event(() => DeadlineReached, x =>
        {
            x.CorrelateById(m => m.Message.WorkflowId);
            x.ConfigureConsumeTopology = false;
        });
        Event(() => RoleSetupStarted, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => RoleSetupCompleted, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => RoleSetupFailed, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => RoleSetupFaulted, x => x.CorrelateById(m => m.Message.Message.WorkflowId));
        Event(() => AssessmentStarted, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => AssessmentHeartbeat, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => AssessmentCompleted, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => AssessmentFailed, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => AssessmentFaulted, x => x.CorrelateById(m => m.Message.Message.WorkflowId));
        Event(() => StatusRequested, x =>
        {
            x.CorrelateById(m => m.Message.WorkflowId);
            x.ReadOnly = true;
            x.OnMissingInstance(m => m.ExecuteAsync(context =>
                context.RespondAsync(new OnboardingNotFound { WorkflowId = context.Message.WorkflowId })));
        });

        // Late and duplicate events reach states that no longer expect them; they are dropped, not faulted.
        OnUnhandledEvent(context => context.Ignore());

        Initially(
            When(Requested)
                .Then(context => context.Saga.TakeRequest(context.Message, time.GetUtcNow()))
                .IfElse(
                    context => context.Remember(new RequestCheck(OnboardingRequestValidator.Validate(context.Message))).Error is null,
                    valid => valid.IfElse(
                        context => context.Message.Options?.Draft == true,
                        draft => draft.TransitionTo(Draft).PublishStatus(),
                        queued => queued
                            .Then(context => context.Saga.Enqueue(time.GetUtcNow(), policy))
                            .TransitionTo(Queued)
                            .PublishStatus()),
                    invalid => invalid
                        .Then(context => context.Saga.Fail(context.Recall<RequestCheck>().Error!, step: null, time.GetUtcNow()))
                        .TransitionTo(ValidationError)
                        .PublishStatus()));

        During(Draft,
            When(Submitted)
                .Then(context => context.Saga.Enqueue(time.GetUtcNow(), policy))
                .TransitionTo(Queued)
                .PublishStatus());

        // A company slot freed up: start the first step.
        During(Queued,
            When(Admitted, context => context.Saga.AwaitingAdmission)
                .Then(context => context.Saga.AwaitingAdmission = false)
                .SendRoleSetup());

        During(Draft, Queued, Processing,
            When(CancelRequested)
                .Then(context => context.Saga.Cancel(context.Message.Reason, time.GetUtcNow()))
                .TransitionTo(Cancelled)
                .PublishStatus());

        During(Ready, Degraded,
            When(StaleMarked)
                .Then(context => context.Saga.SupersededBy = context.Message.SupersededBy)
                .TransitionTo(Stale)
                .PublishStatus());

        During(Failed,
            When(RetryRequested)
                .Then(context => context.Saga.PrepareRedrive(
                    context.Remember(new RedriveFrom(RedriveRules.StartingStep(context.Saga.RoleSetup, context.Message.ForceRerun))).Step, time.GetUtcNow(), policy))
                .IfElse(
                    context => context.Recall<RedriveFrom>().Step == OnboardingSteps.RoleSetup,
                    fromStart => fromStart.SendRoleSetup(),
                    fromAssessment => fromAssessment.SendAssessment())
                .TransitionTo(Queued)
                .PublishStatus());

        During(Queued, Processing,
            When(RoleSetupStarted, context => context.Saga.RoleSetup.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.RecordStepStarted(OnboardingSteps.RoleSetup, context.Message.StartedAt, time.GetUtcNow(), policy))
                .TransitionTo(Processing)
                .PublishStatus(),
            When(RoleSetupCompleted, context => context.Saga.RoleSetup.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.RecordRoleSetupCompleted(context.Message))
                .IfElse(
                    context => context.Saga.HasJobDescription(),
                    assess => assess.SendAssessment().TransitionTo(Processing).PublishStatus(),
                    degraded => degraded
                        .Then(context => context.Saga.SkipAssessment(NoJobDescriptionReason, context.Message.CompletedAt))
                        .TransitionTo(Degraded)
                        .PublishStatus()),
            When(RoleSetupFailed, context => context.Saga.RoleSetup.Awaits(context.Message.Attempt))
                .RetryOrFail(this, OnboardingSteps.RoleSetup, context => context.Message.Error, context => context.Message.FailedAt, time, policy),
            When(RoleSetupFaulted, context => context.Saga.RoleSetup.Awaits(context.Message.Message.Attempt))
                .RetryOrFail(this, OnboardingSteps.RoleSetup, context => FaultError.From(context.Message, ErrorCodes.RoleSetupFailed), _ => time.GetUtcNow(), time, policy),
            When(AssessmentStarted, context => context.Saga.AiAssessment.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.RecordStepStarted(OnboardingSteps.AiAssessment, context.Message.StartedAt, time.GetUtcNow(), policy))
                .TransitionTo(Processing)
                .PublishStatus(),
            When(AssessmentHeartbeat, context => context.Saga.AiAssessment.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.ExtendHeartbeat(policy.AiAssessment, time.GetUtcNow())),
            When(AssessmentCompleted, context => context.Saga.AiAssessment.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.RecordAssessmentCompleted(context.Message))
                .TransitionTo(Ready)
                .PublishStatus(),
            When(AssessmentFailed, context => context.Saga.AiAssessment.Awaits(context.Message.Attempt))
                .RetryOrFail(this, OnboardingSteps.AiAssessment, context => context.Message.Error, context => context.Message.FailedAt, time, policy),
            When(AssessmentFaulted, context => context.Saga.AiAssessment.Awaits(context.Message.Message.Attempt))
                .RetryOrFail(this, OnboardingSteps.AiAssessment, context => FaultError.From(context.Message, ErrorCodes.AssessmentFailed), _ => time.GetUtcNow(), time, policy),
            When(DeadlineReached)
                .Then(context => context.Remember(DeadlineRules.Evaluate(context.Saga, time.GetUtcNow(), policy)))
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.NothingDue,
                    nothing => nothing.Then(context => context.Saga.Rearm()))
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.WorkflowTimedOut,
                    timedOut => timedOut
                        .Then(context => context.Saga.TimeOut(((DeadlineDecision.WorkflowTimedOut)context.Recall<DeadlineDecision>()).Error, time.GetUtcNow()))
                        .TransitionTo(Failed)
                        .PublishStatus())
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.RetryDue { Step: OnboardingSteps.RoleSetup },
                    retry => retry.Then(context => context.Saga.ClearRetry()).SendRoleSetup().TransitionTo(Queued).PublishStatus())
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.RetryDue { Step: OnboardingSteps.AiAssessment },
                    retry => retry.Then(context => context.Saga.ClearRetry()).SendAssessment().TransitionTo(Queued).PublishStatus())
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.AttemptLost,
                    lost => lost.RetryOrFail(
                        this,
                        context => ((DeadlineDecision.AttemptLost)context.Recall<DeadlineDecision>()).Step,
                        context => ((DeadlineDecision.AttemptLost)context.Recall<DeadlineDecision>()).Error,
                        _ => time.GetUtcNow(),
                        time,
                        policy)));

        DuringAny(
            When(StatusRequested)
                .Activity(x => x.OfInstanceType<RespondWithStatusActivity>()));
    }

    public State Draft { get; private set; } = null!;

    public State Queued { get; private set; } = null!;

    public State Processing { get; private set; } = null!;

    public State Ready { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public State ValidationError { get; private set; } = null!;

    public State Degraded { get; private set; } = null!;

    public State Cancelled { get; private set; } = null!;

    public State Stale { get; private set; } = null!;

    public Event<OnboardRoleRequested> Requested { get; private set; } = null!;

    public Event<SubmitOnboarding> Submitted { get; private set; } = null!;

    public Event<RetryOnboarding> RetryRequested { get; private set; } = null!;

    public Event<CancelOnboarding> CancelRequested { get; private set; } = null!;

    public Event<MarkOnboardingStale> StaleMarked { get; private set; } = null!;

    public Event<AdmitOnboarding> Admitted { get; private set; } = null!;

    public Event<OnboardingDeadlineReached> DeadlineReached { get; private set; } = null!;

    public Event<RoleSetupStarted> RoleSetupStarted { get; private set; } = null!;

    public Event<RoleSetupCompleted> RoleSetupCompleted { get; private set; } = null!;

    public Event<RoleSetupFailed> RoleSetupFailed { get; private set; } = null!;

    public Event<Fault<SetUpRole>> RoleSetupFaulted { get; private set; } = null!;

    public Event<AiAssessmentStarted> AssessmentStarted { get; private set; } = null!;

    public Event<AiAssessmentHeartbeat> AssessmentHeartbeat { get; private set; } = null!;

    public Event<AiAssessmentCompleted> AssessmentCompleted { get; private set; } = null!;

    public Event<AiAssessmentFailed> AssessmentFailed { get; private set; } = null!;

    public Event<Fault<AssessRole>> AssessmentFaulted { get; private set; } = null!;

    public Event<GetOnboardingStatus> StatusRequested { get; private set; } = null!;

    /// <summary>The validation verdict on a request, carried to the branch that records it.</summary>
    sealed record RequestCheck(OnboardingError? Error);

    /// <summary>Where a redrive starts, carried to the branch that sends that step.</summary>
    sealed record RedriveFrom(string Step);
}
