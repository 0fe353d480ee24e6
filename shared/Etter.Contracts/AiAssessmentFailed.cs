namespace Etter.Contracts;

public sealed record AiAssessmentFailed
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public OnboardingError Error { get; init; } = new();

    public DateTimeOffset FailedAt { get; init; }
}
