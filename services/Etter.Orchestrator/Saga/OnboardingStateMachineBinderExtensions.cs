using Etter.Contracts;
using Etter.Orchestrator.Saga.Activities;
using Etter.Orchestrator.Saga.Changes;
using Etter.Orchestrator.Saga.Decisions;
using MassTransit;

namespace Etter.Orchestrator.Saga;

/// <summary>Names for the saga's side effects and shared branches, so the state machine reads as the workflow it is.</summary>
static class OnboardingStateMachineBinderExtensions
{
    public static EventActivityBinder<OnboardingState, T> PublishStatus<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class =>
        binder.Activity(x => x.OfInstanceType<PublishStatusChangedActivity>());

    public static EventActivityBinder<OnboardingState, T> SendRoleSetup<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class =>
        binder.Activity(x => x.OfInstanceType<SendRoleSetupActivity>());

    public static EventActivityBinder<OnboardingState, T> SendAssessment<T>(this EventActivityBinder<OnboardingState, T> binder)
        where T : class =>
        binder.Activity(x => x.OfInstanceType<SendAssessmentActivity>());

    /// <summary>A failed attempt: schedule a retry per the step's policy (status only) or fail the workflow at that step.</summary>
    public static EventActivityBinder<OnboardingState, T> RetryOrFail<T>(
        this EventActivityBinder<OnboardingState, T> binder,
        OnboardingStateMachine machine,
        string step,
        Func<BehaviorContext<OnboardingState, T>, OnboardingError> error,
        Func<BehaviorContext<OnboardingState, T>, DateTimeOffset> at,
        TimeProvider time,
        OrchestratorOptions options)
        where T : class =>
        binder.RetryOrFail(machine, _ => step, error, at, time, options);

    /// <inheritdoc cref="RetryOrFail{T}(EventActivityBinder{OnboardingState, T}, OnboardingStateMachine, string, Func{BehaviorContext{OnboardingState, T}, OnboardingError}, Func{BehaviorContext{OnboardingState, T}, DateTimeOffset}, TimeProvider, OrchestratorOptions)"/>
    public static EventActivityBinder<OnboardingState, T> RetryOrFail<T>(
        this EventActivityBinder<OnboardingState, T> binder,
        OnboardingStateMachine machine,
        Func<BehaviorContext<OnboardingState, T>, string> step,
        Func<BehaviorContext<OnboardingState, T>, OnboardingError> error,
        Func<BehaviorContext<OnboardingState, T>, DateTimeOffset> at,
        TimeProvider time,
        OrchestratorOptions options)
        where T : class =>
        binder
            .Then(context =>
            {
                var failedStep = step(context);
                var failedAt = at(context);
                context.Saga.RecordAttemptFailed(failedStep, error(context), failedAt);
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
                retry => retry.PublishStatus(),
                fail => fail.TransitionTo(machine.Failed).PublishStatus());
}
