using Etter.Contracts;

namespace Etter.AiAssessment.Engines;

/// <summary>Scores how much of a role's work AI can automate or augment.</summary>
public interface IAssessmentEngine
{
    /// <summary>The name used in configuration and on results: <c>mock</c>, <c>rubric</c>, <c>llm</c>.</summary>
    string Name { get; }

    /// <summary>
    /// True for a quick engine (CPU only, milliseconds): it runs inside the consumer and its outcome is stored and
    /// reported in the same transaction, with no start event or heartbeats. False for a long or costly one (an LLM
    /// call): its run is claimed first, so it never runs twice, and continues in the background with heartbeats.
    /// </summary>
    bool RunsInline { get; }

    /// <summary>
    /// Runs the assessment. Failures with a known cause throw <see cref="AssessmentEngineException"/>;
    /// <paramref name="heartbeat"/> is invoked periodically by long-running engines to prove liveness.
    /// </summary>
    Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken);
}
