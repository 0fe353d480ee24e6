namespace Etter.Orchestrator.History;

/// <summary>One row of a workflow's append-only audit trail, written in the same transaction as the change it records.</summary>
public sealed class OnboardingHistoryEntry
{
    public long Id { get; set; }

    public Guid WorkflowId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The event or command that caused the change.</summary>
    public string Trigger { get; set; } = "";

    public string? FromStatus { get; set; }

    public string ToStatus { get; set; } = "";

    public string? Step { get; set; }

    public string? StepStatus { get; set; }

    public int? Attempt { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>Who asked, for commands (push, submit, retry, cancel); <c>system</c> otherwise.</summary>
    public string Actor { get; set; } = "system";
}
