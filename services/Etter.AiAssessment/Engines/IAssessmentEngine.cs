using Etter.Contracts;

namespace Etter.AiAssessment.Engines;

/// <summary>Scores how much of a role's work AI can automate or augment.</summary>
public interface IAssessmentEngine
{
    /// <summary>The name used in configuration and on results: <c>mock</c>, <c>rubric</c>, <c>llm</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Runs the assessment. Failures with a known cause throw <see cref="AssessmentEngineException"/>;
    /// <paramref name="heartbeat"/> is invoked periodically by long-running engines to prove liveness.
    /// </summary>
    Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken);
}
