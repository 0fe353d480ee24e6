using Etter.Contracts;

namespace Etter.Orchestrator.Saga;

/// <summary>Per-step bookkeeping inside <see cref="OnboardingState"/>, stored as columns of the saga row.</summary>
public sealed class StepState
{
    public string Status { get; set; } = StepStatuses.Pending;

    /// <summary>The attempt in flight or last run; 0 before the first command is sent. Never decreases, so
    /// results can always be matched to the attempt that produced them.</summary>
    public int Attempt { get; set; }

    /// <summary>Attempts since the last (re)drive; what the retry policy counts.</summary>
    public int AttemptsThisRun { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public bool? ErrorRecoverable { get; set; }

    public string? SkipReason { get; set; }

    public OnboardingError? Error => ErrorCode is null
        ? null
        : new OnboardingError { Code = ErrorCode, Message = ErrorMessage ?? "", Recoverable = ErrorRecoverable ?? false };

    /// <summary>Begins a new attempt: clears the previous outcome but keeps the attempt counter rising.</summary>
    public void BeginAttempt()
    {
        Attempt++;
        AttemptsThisRun++;
        Status = StepStatuses.Pending;
        StartedAt = null;
        CompletedAt = null;
        ClearError();
    }

    public void MarkRunning(DateTimeOffset at)
    {
        Status = StepStatuses.Running;
        StartedAt ??= at;
    }

    public void MarkCompleted(DateTimeOffset at)
    {
        StartedAt ??= at;
        Status = StepStatuses.Completed;
        CompletedAt = at;
    }

    public void MarkFailed(OnboardingError error, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(error);
        StartedAt ??= at;
        Status = StepStatuses.Failed;
        CompletedAt = at;
        ErrorCode = error.Code;
        ErrorMessage = error.Message;
        ErrorRecoverable = error.Recoverable;
    }

    public void MarkSkipped(string reason, DateTimeOffset at)
    {
        Status = StepStatuses.Skipped;
        SkipReason = reason;
        CompletedAt = at;
    }

    /// <summary>Back to a fresh step for a redrive; the attempt counter keeps rising.</summary>
    public void Reset()
    {
        Status = StepStatuses.Pending;
        AttemptsThisRun = 0;
        StartedAt = null;
        CompletedAt = null;
        ClearError();
    }

    void ClearError()
    {
        ErrorCode = null;
        ErrorMessage = null;
        ErrorRecoverable = null;
        SkipReason = null;
    }
}
