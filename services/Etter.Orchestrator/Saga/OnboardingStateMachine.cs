using Etter.Orchestrator.Saga.Activities;
using Etter.Orchestrator.Saga.Changes;
using Etter.Orchestrator.Saga.Decisions;
using Etter.Orchestrator.Submission;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga;

/// <summary>
/// Orchestrates one role onboarding: role_setup, then ai_assessment. It does no I/O: commands, answers and status
/// go through the transactional outbox with the state change, deadlines are stored on the row for the sweeper, and
/// results that do not belong to the attempt in flight (duplicates, late arrivals, timed-out attempts) are ignored.
/// Failed attempts are retried per step policy; only a failed step is ever re-run. On the happy path a workflow
/// takes three transitions: requested (admitted and role_setup sent at once), role_setup completed, ready.
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

        // Requests reach the saga by send (the API, the intake consumer); binding the saga queue to the public
        // exchange as well would deliver every published request twice (and plain JSON, which the saga cannot read).
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
        Event(() => RoleSetupCompleted, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => RoleSetupFailed, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => RoleSetupFaulted, x => x.CorrelateById(m => m.Message.Message.WorkflowId));
        Event(() => AssessmentStarted, x => x.CorrelateById(m => m.Message.WorkflowId));
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
                .Then(context => context.Remember(SubmissionRules.Decide(context.Message, context.Facts(), context.HasRequester())))
                .If(context => context.Recall<SubmissionDecision>() is SubmissionDecision.Invalid,
                    invalid => invalid
                        .Then(context => context.Saga.Fail(((SubmissionDecision.Invalid)context.Recall<SubmissionDecision>()).Error, step: null, time.GetUtcNow()))
                        .TransitionTo(ValidationError))
                .If(context => context.Recall<SubmissionDecision>() is SubmissionDecision.Duplicate,
                    duplicate => duplicate
                        .Then(context => context.Saga.DuplicateOf = ((SubmissionDecision.Duplicate)context.Recall<SubmissionDecision>()).Of.WorkflowId)
                        .TransitionTo(Duplicate))
                .If(context => context.Recall<SubmissionDecision>() is SubmissionDecision.Draft,
                    draft => draft
                        .Then(context => context.Saga.ClaimRole())
                        .TransitionTo(Draft)
                        .MarkSuperseded())
                .If(context => context.Recall<SubmissionDecision>() is SubmissionDecision.Start,
                    start => start
                        .Then(context =>
                        {
                            context.Saga.ClaimRole();
                            context.Saga.StartWorkflowClock(time.GetUtcNow(), policy.WorkflowTimeout);
                        })
                        .AdmitOrQueue(this, OnboardingSteps.RoleSetup, time)
                        .MarkSuperseded())
                .RecordStatus()
                .RespondAccepted());

        During(Draft,
            When(Submitted)
                .Then(context => context.Saga.StartWorkflowClock(time.GetUtcNow(), policy.WorkflowTimeout))
                .AdmitOrQueue(this, OnboardingSteps.RoleSetup, time)
                .RecordStatus());

        // A company slot freed up and the admission controller gave it to this workflow.
        During(Queued,
            When(Admitted, context => context.Saga.AwaitingAdmission)
                .Then(context => context.Saga.AwaitingAdmission = false)
                .IfElse(
                    context => context.Saga.PendingStep == OnboardingSteps.AiAssessment,
                    assessment => assessment.SendAssessment(),
                    roleSetup => roleSetup.SendRoleSetup())
                .Then(context => context.Saga.PendingStep = null)
                .TransitionTo(Processing)
                .RecordStatus());

        During(Draft, Queued, Processing,
            When(CancelRequested)
                .Then(context => context.Saga.Cancel(context.Message.Reason, time.GetUtcNow()))
                .TransitionTo(Cancelled)
                .RecordStatus());

        During(Ready, Degraded,
            When(StaleMarked)
                .Then(context => context.Saga.SupersededBy = context.Message.SupersededBy)
                .TransitionTo(Stale)
                .RecordStatus());

        // Redrive, unless another workflow of the role is in flight meanwhile (the API refuses that; a racing retry is dropped).
        During(Failed,
            When(RetryRequested, context => context.Facts().InFlight is null)
                .Then(context =>
                {
                    var from = context.Remember(new RedriveFrom(RedriveRules.StartingStep(context.Saga.RoleSetup, context.Message.ForceRerun))).Step;
                    context.Saga.PrepareRedrive(from, time.GetUtcNow(), policy);
                    context.Saga.ClaimRole();
                })
                .IfElse(
                    context => context.Recall<RedriveFrom>().Step == OnboardingSteps.RoleSetup,
                    fromStart => fromStart.AdmitOrQueue(this, OnboardingSteps.RoleSetup, time),
                    fromAssessment => fromAssessment.AdmitOrQueue(this, OnboardingSteps.AiAssessment, time))
                .RecordStatus());

        During(Queued, Processing,
            When(RoleSetupCompleted, context => context.Saga.RoleSetup.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.RecordRoleSetupCompleted(context.Message))
                .IfElse(
                    context => context.Saga.HasJobDescription(),
                    assess => assess.SendAssessment().TransitionTo(Processing).RecordStatus(),
                    degraded => degraded
                        .Then(context => context.Saga.SkipAssessment(NoJobDescriptionReason, context.Message.CompletedAt))
                        .TransitionTo(Degraded)
                        .RecordStatus()),
            When(RoleSetupFailed, context => context.Saga.RoleSetup.Awaits(context.Message.Attempt))
                .RetryOrFail(this, OnboardingSteps.RoleSetup, context => context.Message.Error, context => context.Message.FailedAt, time, policy, context => context.Message.StartedAt),
            When(RoleSetupFaulted, context => context.Saga.RoleSetup.Awaits(context.Message.Message.Attempt))
                .RetryOrFail(this, OnboardingSteps.RoleSetup, context => FaultError.From(context.Message, ErrorCodes.RoleSetupFailed), _ => time.GetUtcNow(), time, policy),
            When(AssessmentStarted, context => context.Saga.AiAssessment.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.RecordStepStarted(OnboardingSteps.AiAssessment, context.Message.StartedAt, time.GetUtcNow(), policy))
                .TransitionTo(Processing)
                .RecordStatus(),
            When(AssessmentCompleted, context => context.Saga.AiAssessment.Awaits(context.Message.Attempt))
                .Then(context => context.Saga.RecordAssessmentCompleted(context.Message))
                .TransitionTo(Ready)
                .RecordStatus(),
            When(AssessmentFailed, context => context.Saga.AiAssessment.Awaits(context.Message.Attempt))
                .RetryOrFail(this, OnboardingSteps.AiAssessment, context => context.Message.Error, context => context.Message.FailedAt, time, policy, context => context.Message.StartedAt),
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
                        .RecordStatus())
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.RetryDue { Step: OnboardingSteps.RoleSetup },
                    retry => retry.Then(context => context.Saga.ClearRetry()).SendRoleSetup().TransitionTo(Processing).RecordStatus())
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.RetryDue { Step: OnboardingSteps.AiAssessment },
                    retry => retry.Then(context => context.Saga.ClearRetry()).SendAssessment().TransitionTo(Processing).RecordStatus())
                .If(context => context.Recall<DeadlineDecision>() is DeadlineDecision.AttemptLost,
                    lost => lost.RetryOrFail(
                        this,
                        context => ((DeadlineDecision.AttemptLost)context.Recall<DeadlineDecision>()).Step,
                        context => ((DeadlineDecision.AttemptLost)context.Recall<DeadlineDecision>()).Error,
                        _ => time.GetUtcNow(),
                        time,
                        policy)));

        // A redelivered request of a workflow already recorded is answered again, as it was the first time.
        DuringAny(
            When(Requested)
                .RespondAccepted(),
            When(StatusRequested)
                .Activity(x => x.OfInstanceType<RespondWithStatusActivity>()));
    }

    public State Draft { get; private set; } = null!;

    /// <summary>Waiting for one of its company's slots (or for a scheduled retry of a step).</summary>
    public State Queued { get; private set; } = null!;

    /// <summary>A step was sent to its worker or is running.</summary>
    public State Processing { get; private set; } = null!;

    public State Ready { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public State ValidationError { get; private set; } = null!;

    public State Degraded { get; private set; } = null!;

    public State Cancelled { get; private set; } = null!;

    public State Stale { get; private set; } = null!;

    /// <summary>Another workflow already does the work (the role's one in flight, or its identical finished result).</summary>
    public State Duplicate { get; private set; } = null!;

    public Event<OnboardRoleRequested> Requested { get; private set; } = null!;

    public Event<SubmitOnboarding> Submitted { get; private set; } = null!;

    public Event<RetryOnboarding> RetryRequested { get; private set; } = null!;

    public Event<CancelOnboarding> CancelRequested { get; private set; } = null!;

    public Event<MarkOnboardingStale> StaleMarked { get; private set; } = null!;

    public Event<AdmitOnboarding> Admitted { get; private set; } = null!;

    public Event<OnboardingDeadlineReached> DeadlineReached { get; private set; } = null!;

    public Event<RoleSetupCompleted> RoleSetupCompleted { get; private set; } = null!;

    public Event<RoleSetupFailed> RoleSetupFailed { get; private set; } = null!;

    public Event<Fault<SetUpRole>> RoleSetupFaulted { get; private set; } = null!;

    public Event<AiAssessmentStarted> AssessmentStarted { get; private set; } = null!;

    public Event<AiAssessmentCompleted> AssessmentCompleted { get; private set; } = null!;

    public Event<AiAssessmentFailed> AssessmentFailed { get; private set; } = null!;

    public Event<Fault<AssessRole>> AssessmentFaulted { get; private set; } = null!;

    public Event<GetOnboardingStatus> StatusRequested { get; private set; } = null!;

    /// <summary>Where a redrive starts, carried to the branch that sends that step.</summary>
    sealed record RedriveFrom(string Step);
}
