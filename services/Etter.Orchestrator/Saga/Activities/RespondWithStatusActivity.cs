using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Answers a status request from the saga's stored state; changes nothing.</summary>
public sealed class RespondWithStatusActivity : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RespondAsync(OnboardingStatusSnapshot.From(context.Saga));
    }
}
