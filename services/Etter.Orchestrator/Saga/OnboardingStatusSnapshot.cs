using Etter.Orchestrator.Saga.Changes;
using Etter.ReadModel;

namespace Etter.Orchestrator.Saga;

/// <summary>The one mapping from saga state to the public <see cref="OnboardingStatus"/>.</summary>
public static class OnboardingStatusSnapshot
{
    public static OnboardingStatus From(OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new OnboardingStatus
        {
            WorkflowId = state.CorrelationId,
            Revision = state.Revision,
            Status = WorkflowStates.ToWire(state.CurrentState),
            CompanyId = state.CompanyId,
            RoleName = state.RoleName,
            RoleId = state.RoleId,
            DraupRoleName = state.DraupRoleName,
            BatchId = state.BatchId,
            RequestedBy = state.RequestedBy,
            CurrentStep = state.CurrentStep,
            Steps =
            [
                Step(OnboardingSteps.RoleSetup, state.RoleSetup),
                Step(OnboardingSteps.AiAssessment, state.AiAssessment),
            ],
            QueuedAt = state.QueuedAt,
            StartedAt = state.StartedAt,
            CompletedAt = state.CompletedAt,
            UpdatedAt = state.UpdatedAt,
            Error = state.Error(),
            FailedStep = state.FailedStep,
            FinalScore = state.FinalScore,
            NextRetryAt = state.Deadlines.RetryAt,
            CancelReason = state.CancelReason,
            InputHash = state.InputHash,
            SupersededBy = state.SupersededBy,
            DuplicateOf = state.DuplicateOf,
            Assessment = state.Assessment(),
        };
    }

    static StepStatus Step(string name, StepState step) => new()
    {
        Name = name,
        Status = step.Status,
        Attempt = step.Attempt,
        StartedAt = step.StartedAt,
        CompletedAt = step.CompletedAt,
        DurationMs = step is { StartedAt: { } started, CompletedAt: { } completed }
            ? (long)Math.Max(0, (completed - started).TotalMilliseconds)
            : null,
        Error = step.Error(),
        SkipReason = step.SkipReason,
    };
}
