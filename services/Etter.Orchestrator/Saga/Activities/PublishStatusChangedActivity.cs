using Etter.Messaging.Outbox;
using Etter.Contracts;
using Etter.Orchestrator.History;
using Etter.Orchestrator.Observability;
using Etter.Orchestrator.Persistence;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>
/// Stamps a new revision on the saga, appends the change to its audit trail and publishes its status for
/// projections; all of it commits in the saga's own transaction.
/// </summary>
public sealed class PublishStatusChangedActivity(TimeProvider time, IOutbox outbox, OrchestratorDbContext db) : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.Revision++;
        saga.UpdatedAt = time.GetUtcNow();
        var status = OnboardingStatusSnapshot.From(saga);
        var previous = saga.LastPublishedStatus;
        saga.LastPublishedStatus = status.Status;
        OnboardingMetrics.Record(saga, previous, status.Status);
        var step = saga.CurrentStep is null ? null : saga.Step(saga.CurrentStep);
        db.History.Add(new OnboardingHistoryEntry
        {
            WorkflowId = saga.CorrelationId,
            At = saga.UpdatedAt,
            Trigger = context.Event.Name,
            FromStatus = previous,
            ToStatus = status.Status,
            Step = saga.CurrentStep,
            StepStatus = step?.Status,
            Attempt = step?.Attempt,
            ErrorCode = step?.ErrorCode ?? saga.ErrorCode,
            ErrorMessage = step?.ErrorMessage ?? saga.ErrorMessage,
            Actor = saga.Actor ?? "system",
        });
        saga.Actor = null;
        outbox.Publish(saga.CorrelationId, new OnboardingStateChanged
        {
            WorkflowId = saga.CorrelationId,
            PreviousStatus = previous,
            Status = status,
        });
        return Task.CompletedTask;
    }
}
