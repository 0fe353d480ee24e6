namespace Etter.Contracts;

public sealed record AiAssessmentStarted
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public string Engine { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }
}
