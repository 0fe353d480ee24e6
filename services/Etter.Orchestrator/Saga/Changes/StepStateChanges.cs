namespace Etter.Orchestrator.Saga.Changes;

/// <summary>How one step's bookkeeping moves through an attempt.</summary>
public static class StepStateChanges
{
    /// <summary>Begins a new attempt: clears the previous outcome but keeps the attempt counter rising.</summary>
    public static void BeginAttempt(this StepState step)
    {
        ArgumentNullException.ThrowIfNull(step);
        step.Attempt++;
        step.AttemptsThisRun++;
        step.Status = StepStatuses.Pending;
        step.StartedAt = null;
        step.CompletedAt = null;
        step.ClearError();
    }

    public static void MarkRunning(this StepState step, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(step);
        step.Status = StepStatuses.Running;
        step.StartedAt ??= at;
    }

    public static void MarkCompleted(this StepState step, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(step);
        step.StartedAt ??= at;
        step.Status = StepStatuses.Completed;
        step.CompletedAt = at;
    }

    public static void MarkFailed(this StepState step, OnboardingError error, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(error);
        step.StartedAt ??= at;
        step.Status = StepStatuses.Failed;
        step.CompletedAt = at;
        step.ErrorCode = error.Code;
        step.ErrorMessage = error.Message;
        step.ErrorRecoverable = error.Recoverable;
    }

    public static void MarkSkipped(this StepState step, string reason, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(step);
        step.Status = StepStatuses.Skipped;
        step.SkipReason = reason;
        step.CompletedAt = at;
    }

    /// <summary>Back to a fresh step for a redrive; the attempt counter keeps rising.</summary>
    public static void Reset(this StepState step)
    {
        ArgumentNullException.ThrowIfNull(step);
        step.Status = StepStatuses.Pending;
        step.AttemptsThisRun = 0;
        step.StartedAt = null;
        step.CompletedAt = null;
        step.ClearError();
    }

    /// <summary>True when a result for <paramref name="attempt"/> is still awaited: other attempts' results are ignored.</summary>
    public static bool Awaits(this StepState step, int attempt)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Attempt == attempt && step.Status is StepStatuses.Pending or StepStatuses.Running;
    }

    public static OnboardingError? Error(this StepState step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.ErrorCode is null
            ? null
            : new OnboardingError { Code = step.ErrorCode, Message = step.ErrorMessage ?? "", Recoverable = step.ErrorRecoverable ?? false };
    }

    static void ClearError(this StepState step)
    {
        step.ErrorCode = null;
        step.ErrorMessage = null;
        step.ErrorRecoverable = null;
        step.SkipReason = null;
    }
}
