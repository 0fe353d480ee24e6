namespace Etter.Contracts;

public sealed record OnboardingOptions
{
    /// <summary>Use the deterministic mock assessment engine instead of the configured one.</summary>
    public bool UseMockAssessment { get; init; }

    /// <summary>Run every step again even if an equivalent workflow exists.</summary>
    public bool ForceRerun { get; init; }

    public bool NotifyOnComplete { get; init; } = true;

    public bool SkipEnhancementWorkflows { get; init; }

    /// <summary>Park the workflow in Draft until a <see cref="SubmitOnboarding"/> arrives.</summary>
    public bool Draft { get; init; }
}
