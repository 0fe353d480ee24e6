using Etter.Contracts;
using Etter.Orchestrator.Saga.Activities;
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
        binder.IfElse(
            context => context.Saga.RecordStepFailure(step, error(context), at(context), time.GetUtcNow(), options, Random.Shared.NextDouble()),
            retry => retry.PublishStatus(),
            fail => fail.TransitionTo(machine.Failed).PublishStatus());
}
