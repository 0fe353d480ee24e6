namespace Etter.Contracts;

public sealed record AiAssessmentCompleted
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public AssessmentResult Result { get; init; } = new();

    public DateTimeOffset CompletedAt { get; init; }
}
