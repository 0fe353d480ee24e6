namespace Etter.ReadModel;

/// <summary>One row of a workflow's audit trail (<c>onboarding_history</c>).</summary>
public sealed class WorkflowHistoryRecord
{
    public long Id { get; init; }

    public Guid WorkflowId { get; init; }

    public DateTimeOffset At { get; init; }

    public string Trigger { get; init; } = "";

    public string? FromStatus { get; init; }

    public string ToStatus { get; init; } = "";

    public string? Step { get; init; }

    public string? StepStatus { get; init; }

    public int? Attempt { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public string Actor { get; init; } = "system";
}
