using Etter.Messaging.Outbox;
using Etter.Messaging.Sagas;
using Etter.Orchestrator.Admission;
using Etter.Orchestrator.History;
using Etter.Orchestrator.Observability;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga.Changes;
using Etter.Orchestrator.Status;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>
/// Records a status change in the saga's own transaction: a new revision, the audit trail entry, the status for the
/// fast store (an outbox row, delivered after the commit) and, as configured, the public state-changed event. A
/// workflow that finishes gives back its company slot and its role's in-flight claim here.
/// </summary>
public sealed class RecordStatusActivity(
    TimeProvider time,
    IOutbox<OrchestratorDbContext> outbox,
    OrchestratorDbContext db,
    SagaTransaction<OrchestratorDbContext> transaction,
    AdmissionSignal admission,
    IOptions<OrchestratorOptions> options) : InstanceActivity
{
    public const string SystemActor = "system";

    protected override async Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
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
        // Only ever inserted, so kept out of the change tracker, like the outbox rows beside it.
        db.AddUntracked(new OnboardingHistoryEntry
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
            Actor = OnboardingStateChanges.Clip(ActorOf(message), OnboardingStateMap.RequestedByLength) ?? SystemActor,
        });
        outbox.Send(saga.CorrelationId, StatusStoreDestination.Address, status);

        var finished = OnboardingStatuses.IsTerminal(status.Status);
        if (options.Value.StateChangedEvents == StateChangedEvents.All || (finished && options.Value.StateChangedEvents == StateChangedEvents.Finished))
        {
            outbox.Publish(saga.CorrelationId, new OnboardingStateChanged { WorkflowId = saga.CorrelationId, PreviousStatus = previous, Status = status });
        }

        if (finished)
        {
            await LetGoAsync(saga, context.CancellationToken);
        }
    }

    /// <summary>A finished workflow no longer counts against its company or blocks its role.</summary>
    async Task LetGoAsync(OnboardingState saga, CancellationToken cancellationToken)
    {
        saga.InFlightKey = null;
        saga.AwaitingAdmission = false;
        if (saga.AdmissionSlot is { } slot)
        {
            var (companyId, workflowId) = (saga.CompanyId, saga.CorrelationId);
            await transaction.EnlistAsync((sagaDb, ct) => CompanySlots.ReleaseAsync(sagaDb, companyId, slot, workflowId, ct), cancellationToken);
            saga.AdmissionSlot = null;
            admission.SlotFreed();
        }
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
