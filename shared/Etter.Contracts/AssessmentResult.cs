namespace Etter.Contracts;

/// <summary>
/// An AI assessment in the old pipeline's shape. <see cref="AiAutomationPotentialScore"/> plus
/// <see cref="AiAugmentationPotentialScore"/> is approximately <see cref="AiAutomationScore"/>.
/// </summary>
public sealed record AssessmentResult
{
    /// <summary>0-100: share of the role's work AI can take on (automate or augment).</summary>
    public double AiAutomationScore { get; init; }

    /// <summary>The score after validation; 0 when no validation ran.</summary>
    public double ValidatedAutomationScore { get; init; }

    public double AiAutomationPotentialScore { get; init; }

    public double AiAugmentationPotentialScore { get; init; }

    /// <summary>Validated score if non-zero, else the primary score.</summary>
    public double FinalScore { get; init; }

    public TaskAnalysis TaskAnalysis { get; init; } = new();

    /// <summary>Markdown narrative of what drives the score.</summary>
    public string ImpactAnalysis { get; init; } = "";

    public KeyMetrics KeyMetrics { get; init; } = new();

    public bool IsMock { get; init; }

    public string Engine { get; init; } = "";

    public string EngineVersion { get; init; } = "";

    public TokenUsage? TokenUsage { get; init; }
}
