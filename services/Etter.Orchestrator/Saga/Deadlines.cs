namespace Etter.Orchestrator.Saga;

/// <summary>
/// A workflow's durable timers, stored on its row; the earliest is <see cref="OnboardingState.NextDeadlineAt"/>, which the
/// deadline sweeper polls, and the saga decides what a due one means (<see cref="Decisions.DeadlineRules"/>). Nothing
/// needs a scheduler, and restarts lose nothing.
/// </summary>
public sealed class Deadlines
{
    /// <summary>When a failed attempt is due to be retried, and which step (<see cref="RetryStep"/>).</summary>
    public DateTimeOffset? RetryAt { get; set; }

    public string? RetryStep { get; set; }

    /// <summary>When the attempt in flight counts as lost or timed out.</summary>
    public DateTimeOffset? StepAt { get; set; }

    /// <summary>When the running attempt's worker counts as lost unless it sends a heartbeat first.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }

    /// <summary>The end-to-end limit, from queued to a final state.</summary>
    public DateTimeOffset? WorkflowAt { get; set; }
}
