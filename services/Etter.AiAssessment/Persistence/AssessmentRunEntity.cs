namespace Etter.AiAssessment.Persistence;

/// <summary>
/// One attempt of ai_assessment for one workflow: the inbox that guarantees an attempt runs at most once,
/// and the record of its outcome so a redelivered command is answered without running the engine again.
/// </summary>
public sealed class AssessmentRunEntity
{
    public Guid WorkflowId { get; set; }

    public int Attempt { get; set; }

    /// <summary>running, completed or failed.</summary>
    public string Status { get; set; } = AssessmentRunStatus.Running;

    public string Engine { get; set; } = "";

    /// <summary>The published outcome (AiAssessmentCompleted or AiAssessmentFailed) as JSON.</summary>
    public string? OutcomeJson { get; set; }

    public string Worker { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset HeartbeatAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
