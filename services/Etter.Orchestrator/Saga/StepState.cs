namespace Etter.Orchestrator.Saga;

/// <summary>One step's bookkeeping inside <see cref="OnboardingState"/>, stored as a group of columns of the saga row.</summary>
public sealed class StepState
{
    /// <summary>One of <see cref="Etter.Contracts.StepStatuses"/>.</summary>
    public string Status { get; set; } = Etter.Contracts.StepStatuses.Pending;

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
}
