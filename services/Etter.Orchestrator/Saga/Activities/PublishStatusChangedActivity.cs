using Etter.Contracts;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Stamps a new revision on the saga and publishes its status for projections.</summary>
public sealed class PublishStatusChangedActivity(TimeProvider time) : InstanceActivity
{
    protected override async Task RunAsync(BehaviorContext<OnboardingState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.Revision++;
        saga.UpdatedAt = time.GetUtcNow();
        var status = OnboardingStatusSnapshot.From(saga);
        var previous = saga.LastPublishedStatus;
        saga.LastPublishedStatus = status.Status;
        await context.Publish(new OnboardingStateChanged
        {
            WorkflowId = saga.CorrelationId,
            PreviousStatus = previous,
            Status = status,
        });
    }
}
