using Etter.Orchestrator.Saga.Activities;
using Etter.Orchestrator.Saga.Changes;
using Etter.Orchestrator.Saga.Decisions;
using Etter.Orchestrator.Submission;
using MassTransit;

namespace Etter.Orchestrator.Saga;

/// <summary>Names for the saga's side effects and shared branches, so the state machine reads as the workflow it is.</summary>
static class OnboardingStateMachineBinderExtensions
{
    public static EventActivityBinder<OnboardingState, T> RecordStatus<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class => binder.Run<T, RecordStatusActivity>();

    public static EventActivityBinder<OnboardingState, T> RespondAccepted<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class => binder.Run<T, RespondAcceptedActivity>();

    public static EventActivityBinder<OnboardingState, T> MarkSuperseded<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class => binder.Run<T, MarkSupersededActivity>();

    public static EventActivityBinder<OnboardingState, T> SendRoleSetup<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class => binder.Run<T, SendRoleSetupActivity>();

    public static EventActivityBinder<OnboardingState, T> SendAssessment<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class => binder.Run<T, SendAssessmentActivity>();

    /// <summary>Runs an activity resolved from the message's scope, so it can take the scope's services.</summary>
    static EventActivityBinder<OnboardingState, T> Run<T, TActivity>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class
        where TActivity : class, IStateMachineActivity<OnboardingState> =>
        binder.Activity(x => x.OfInstanceType<TActivity>());

    /// <summary>
    /// With the company slot the preparer claimed, <paramref name="step"/> is sent at once; without one, the workflow
    /// queues and the admission controller admits it when a slot frees up.
    /// </summary>
    public static EventActivityBinder<OnboardingState, T> AdmitOrQueue<T>(
        this EventActivityBinder<OnboardingState, T> binder,
        OnboardingStateMachine machine,
        string step,
        TimeProvider time)
        where T : class =>
        binder.IfElse(
            context => context.Facts().Slot is not null,
            admitted =>
            {
                admitted = admitted.Then(context =>
                {
                    var facts = context.Facts();
                    context.Saga.Admit(facts.Slot!.Value, time.GetUtcNow());
                    facts.SlotTaken = true;
                });
                return (step == OnboardingSteps.AiAssessment ? admitted.SendAssessment() : admitted.SendRoleSetup()).TransitionTo(machine.Processing);
            },
            waiting => waiting
                .Then(context => context.Saga.AwaitAdmission(step))
                .TransitionTo(machine.Queued));

    /// <summary>A failed attempt: schedule a retry per the step's policy (status only) or fail the workflow at that step.</summary>
    public static EventActivityBinder<OnboardingState, T> RetryOrFail<T>(
        this EventActivityBinder<OnboardingState, T> binder,
        OnboardingStateMachine machine,
        string step,
        Func<BehaviorContext<OnboardingState, T>, OnboardingError> error,
        Func<BehaviorContext<OnboardingState, T>, DateTimeOffset> at,
        TimeProvider time,
        OrchestratorOptions options,
        Func<BehaviorContext<OnboardingState, T>, DateTimeOffset>? startedAt = null)
        where T : class =>
        binder.RetryOrFail(machine, _ => step, error, at, time, options, startedAt);

    /// <inheritdoc cref="RetryOrFail{T}(EventActivityBinder{OnboardingState, T}, OnboardingStateMachine, string, Func{BehaviorContext{OnboardingState, T}, OnboardingError}, Func{BehaviorContext{OnboardingState, T}, DateTimeOffset}, TimeProvider, OrchestratorOptions, Func{BehaviorContext{OnboardingState, T}, DateTimeOffset}?)"/>
    public static EventActivityBinder<OnboardingState, T> RetryOrFail<T>(
        this EventActivityBinder<OnboardingState, T> binder,
        OnboardingStateMachine machine,
        Func<BehaviorContext<OnboardingState, T>, string> step,
        Func<BehaviorContext<OnboardingState, T>, OnboardingError> error,
        Func<BehaviorContext<OnboardingState, T>, DateTimeOffset> at,
        TimeProvider time,
        OrchestratorOptions options,
        Func<BehaviorContext<OnboardingState, T>, DateTimeOffset>? startedAt = null)
        where T : class =>
        binder
            .Then(context =>
            {
                var failedStep = step(context);
                var failedAt = at(context);
                context.Saga.RecordAttemptFailed(failedStep, error(context), failedAt, startedAt?.Invoke(context));
                var decision = context.Remember(RetryRules.Decide(
                    context.Saga.Step(failedStep).Error()!,
                    context.Saga.Step(failedStep).AttemptsThisRun,
                    options.PolicyFor(failedStep),
                    time.GetUtcNow(),
                    Random.Shared.NextDouble()));
                context.Saga.Apply(failedStep, decision, failedAt);
            })
            .IfElse(
                context => context.Recall<RetryDecision>() is RetryDecision.RetryAt,
                retry => retry.RecordStatus(),
                fail => fail.TransitionTo(machine.Failed).RecordStatus());
}
