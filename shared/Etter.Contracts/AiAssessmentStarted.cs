namespace Etter.Contracts;

/// <summary>
/// A long-running assessment (one still running after a short grace) has started: the step shows as running and its
/// timeout and heartbeat deadlines run from here. Quick engines finish first and never send it.
/// </summary>
public sealed record AiAssessmentStarted
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public string Engine { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }
}
