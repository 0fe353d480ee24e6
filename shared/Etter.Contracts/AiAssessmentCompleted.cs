namespace Etter.Contracts;

/// <summary>ai_assessment finished an attempt; it says when the attempt started (quick engines send no start event).</summary>
public sealed record AiAssessmentCompleted
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public AssessmentResult Result { get; init; } = new();

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset CompletedAt { get; init; }
}
