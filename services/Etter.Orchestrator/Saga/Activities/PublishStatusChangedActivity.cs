using Etter.Contracts;
using Etter.Messaging.Outbox;
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
    public const string SystemActor = "system";

    protected override Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.Revision++;
        saga.UpdatedAt = time.GetUtcNow();
        var status = OnboardingStatusSnapshot.From(saga);
        var previous = saga.LastPublishedStatus;
        saga.LastPublishedStatus = status.Status;
        OnboardingMetrics.Record(saga, previous, status.Status, FinishedStep(message, saga));
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
            Actor = ActorOf(message) ?? SystemActor,
        });
        outbox.Publish(saga.CorrelationId, new OnboardingStateChanged
        {
            WorkflowId = saga.CorrelationId,
            PreviousStatus = previous,
            Status = status,
        });
        return Task.CompletedTask;
    }

    /// <summary>Who asked, for the commands people issue; events of the system have no actor.</summary>
    public static string? ActorOf(object? message) => message switch
    {
        OnboardRoleRequested m => m.RequestedBy,
        SubmitOnboarding m => m.RequestedBy,
        RetryOnboarding m => m.RequestedBy,
        CancelOnboarding m => m.RequestedBy,
        MarkOnboardingStale m => m.RequestedBy,
        _ => null,
    };

    /// <summary>The step whose attempt this message ended, if any: what the step-duration metric records.</summary>
    public static string? FinishedStep(object? message, OnboardingState saga)
    {
        ArgumentNullException.ThrowIfNull(saga);
        return message switch
        {
            RoleSetupCompleted or RoleSetupFailed or Fault<SetUpRole> => OnboardingSteps.RoleSetup,
            AiAssessmentCompleted or AiAssessmentFailed or Fault<AssessRole> => OnboardingSteps.AiAssessment,
            OnboardingDeadlineReached when saga.CurrentStep is { } step && saga.Step(step).Status == StepStatuses.Failed => step,
            _ => null,
        };
    }
}
