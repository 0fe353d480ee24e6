namespace Etter.Contracts;

/// <summary>
/// Published periodically by the AiAssessment service while a long attempt runs: proof the worker is alive. The
/// orchestrator extends the attempt's lease with it without loading the workflow.
/// </summary>
public sealed record AiAssessmentHeartbeat
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public DateTimeOffset At { get; init; }
}
