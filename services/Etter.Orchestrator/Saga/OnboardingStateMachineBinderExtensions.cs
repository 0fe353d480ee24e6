using Etter.Orchestrator.Saga.Activities;
using MassTransit;

namespace Etter.Orchestrator.Saga;

/// <summary>Names for the saga's side effects, so the state machine reads as the workflow it is.</summary>
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
}
