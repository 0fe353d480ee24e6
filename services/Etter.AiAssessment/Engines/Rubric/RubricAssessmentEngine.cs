using Etter.AiAssessment.Engines.Scoring;
using Etter.Contracts;

namespace Etter.AiAssessment.Engines.Rubric;

/// <summary>
/// The default engine: offline, deterministic and explainable. Every responsibility in the JD is split
/// across the collaboration modes by the cues of a versioned lexicon (<see cref="RubricLexicon"/>), and
/// each row's rationale names the cues behind it, so any score can be traced back to words in the JD.
/// </summary>
public sealed class RubricAssessmentEngine : IAssessmentEngine
{
    public const string EngineName = "rubric";

    readonly RubricClassifier _classifier;

    /// <summary>Uses the lexicon embedded in this assembly.</summary>
    public RubricAssessmentEngine()
        : this(RubricLexicon.Default)
    {
    }

    public RubricAssessmentEngine(RubricLexicon lexicon)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        Lexicon = lexicon;
        _classifier = new RubricClassifier(lexicon);
    }

    public string Name => EngineName;

    public bool RunsInline => true;

    /// <summary>The lexicon's version, e.g. <c>rubric-2026.11</c>; reported on every result.</summary>
    public string Version => Lexicon.Version;

    public RubricLexicon Lexicon { get; }

    /// <summary>How the rubric splits one activity, with the cues that drove it; useful for explaining a single row.</summary>
    public ActivityClassification Classify(WorkloadActivity activity) => _classifier.Classify(activity);

    public Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var activities = AssessmentRequestGuard.RequireActivities(request, "the rubric can assess");
        var classifications = activities.Select(_classifier.Classify).ToList();
        return Task.FromResult(AssessmentAggregator.Aggregate(classifications, EngineName, Version, isMock: false));
    }
}
