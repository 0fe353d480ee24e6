namespace Etter.Contracts;

/// <summary>Published periodically by the AiAssessment service while an attempt runs: proof the worker is alive.</summary>
public sealed record AiAssessmentHeartbeat
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public DateTimeOffset At { get; init; }
}
