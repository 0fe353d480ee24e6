using System.ComponentModel.DataAnnotations;

namespace Etter.AiAssessment;

/// <summary>Assessment settings (<c>Etter:Assessment</c>).</summary>
public sealed class AssessmentOptions
{
    public const string Section = "Etter:Assessment";

    /// <summary>The engine used when a request does not ask for one: <c>rubric</c> (offline), <c>llm</c> or <c>mock</c>.</summary>
    [Required]
    public string DefaultEngine { get; set; } = "rubric";

    /// <summary>Assessments this instance runs at once; further commands wait (unacknowledged) for a slot.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentRuns { get; set; } = 16;

    /// <summary>How often a running assessment tells the orchestrator it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a long-engine run may go before it reports <c>AiAssessmentStarted</c>; a run that finishes sooner
    /// reports only its outcome, which says when it started.
    /// </summary>
    public TimeSpan StartedAfter { get; set; } = TimeSpan.FromSeconds(1);
}
