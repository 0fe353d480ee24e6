using Etter.Contracts;
using Etter.Orchestrator.Saga.Activities;
using MassTransit;

namespace Etter.Orchestrator.Saga;

/// <summary>
/// Orchestrates one role onboarding: role_setup, then ai_assessment. It does no I/O: it sends commands
/// to the step services, reacts to their events, and publishes <see cref="OnboardingStateChanged"/> on
/// every change. Results that do not belong to the attempt in flight (duplicates, late arrivals) are ignored.
/// </summary>
public sealed class OnboardingStateMachine : MassTransitStateMachine<OnboardingState>
{
    public const string NoJobDescriptionReason = "no_jd_content";

    public OnboardingStateMachine(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        InstanceState(x => x.CurrentState);

        // The intake consumer validates and forwards requests here; binding the saga queue to the public
        // exchange as well would deliver every request twice (and plain JSON, which the saga cannot read).
        Event(() => Requested, x =>
        {
            x.CorrelateById(m => m.Message.WorkflowId);
            x.ConfigureConsumeTopology = false;
        });
        Event(() => Submitted, x => x.CorrelateById(m => m.Message.WorkflowId));
        Event(() => RoleSetupStarted, x => x.CorrelateById(m => m.Message.WorkflowId));
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
                .IfElse(
                    context => context.Saga.Accept(context.Message, time.GetUtcNow()),
                    valid => valid.IfElse(
                        context => context.Message.Options?.Draft == true,
                        draft => draft.TransitionTo(Draft).PublishStatus(),
                        queued => queued.SendRoleSetup().TransitionTo(Queued).PublishStatus()),
                    invalid => invalid.TransitionTo(ValidationError).PublishStatus()));

        During(Draft,
            When(Submitted)
                .SendRoleSetup()
                .TransitionTo(Queued)
                .PublishStatus());

        During(Queued, Processing,
            When(RoleSetupStarted, context => OnboardingState.Awaits(context.Saga.RoleSetup, context.Message.Attempt))
                .Then(context => context.Saga.RecordRoleSetupStarted(context.Message.StartedAt))
                .TransitionTo(Processing)
                .PublishStatus(),
            When(RoleSetupCompleted, context => OnboardingState.Awaits(context.Saga.RoleSetup, context.Message.Attempt))
                .Then(context => context.Saga.RecordRoleSetupCompleted(context.Message))
                .IfElse(
                    context => context.Saga.HasJobDescription,
                    assess => assess.SendAssessment().TransitionTo(Processing).PublishStatus(),
                    degraded => degraded
                        .Then(context => context.Saga.SkipAssessment(NoJobDescriptionReason, context.Message.CompletedAt))
                        .TransitionTo(Degraded)
                        .PublishStatus()),
            When(RoleSetupFailed, context => OnboardingState.Awaits(context.Saga.RoleSetup, context.Message.Attempt))
                .Then(context => context.Saga.FailStep(context.Saga.RoleSetup, OnboardingSteps.RoleSetup, context.Message.Error, context.Message.FailedAt))
                .TransitionTo(Failed)
                .PublishStatus(),
            When(RoleSetupFaulted, context => OnboardingState.Awaits(context.Saga.RoleSetup, context.Message.Message.Attempt))
                .Then(context => context.Saga.FailStep(context.Saga.RoleSetup, OnboardingSteps.RoleSetup,
                    FaultError.From(context.Message, ErrorCodes.RoleSetupFailed), time.GetUtcNow()))
                .TransitionTo(Failed)
                .PublishStatus(),
            When(AssessmentStarted, context => OnboardingState.Awaits(context.Saga.AiAssessment, context.Message.Attempt))
                .Then(context => context.Saga.RecordAssessmentStarted(context.Message.StartedAt))
                .PublishStatus(),
            When(AssessmentCompleted, context => OnboardingState.Awaits(context.Saga.AiAssessment, context.Message.Attempt))
                .Then(context => context.Saga.RecordAssessmentCompleted(context.Message))
                .TransitionTo(Ready)
                .PublishStatus(),
            When(AssessmentFailed, context => OnboardingState.Awaits(context.Saga.AiAssessment, context.Message.Attempt))
                .Then(context => context.Saga.FailStep(context.Saga.AiAssessment, OnboardingSteps.AiAssessment, context.Message.Error, context.Message.FailedAt))
                .TransitionTo(Failed)
                .PublishStatus(),
            When(AssessmentFaulted, context => OnboardingState.Awaits(context.Saga.AiAssessment, context.Message.Message.Attempt))
                .Then(context => context.Saga.FailStep(context.Saga.AiAssessment, OnboardingSteps.AiAssessment,
                    FaultError.From(context.Message, ErrorCodes.AssessmentFailed), time.GetUtcNow()))
                .TransitionTo(Failed)
                .PublishStatus());

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

    public Event<OnboardRoleRequested> Requested { get; private set; } = null!;

    public Event<SubmitOnboarding> Submitted { get; private set; } = null!;

    public Event<RoleSetupStarted> RoleSetupStarted { get; private set; } = null!;

    public Event<RoleSetupCompleted> RoleSetupCompleted { get; private set; } = null!;

    public Event<RoleSetupFailed> RoleSetupFailed { get; private set; } = null!;

    public Event<Fault<SetUpRole>> RoleSetupFaulted { get; private set; } = null!;

    public Event<AiAssessmentStarted> AssessmentStarted { get; private set; } = null!;

    public Event<AiAssessmentCompleted> AssessmentCompleted { get; private set; } = null!;

    public Event<AiAssessmentFailed> AssessmentFailed { get; private set; } = null!;

    public Event<Fault<AssessRole>> AssessmentFaulted { get; private set; } = null!;

    public Event<GetOnboardingStatus> StatusRequested { get; private set; } = null!;
}
