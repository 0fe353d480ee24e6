namespace Etter.Contracts;

public sealed record StepStatus
{
    /// <summary>One of <see cref="OnboardingSteps"/>.</summary>
    public string Name { get; init; } = "";

    /// <summary>One of <see cref="StepStatuses"/>.</summary>
    public string Status { get; init; } = StepStatuses.Pending;

    public int Attempt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public long? DurationMs { get; init; }

    public OnboardingError? Error { get; init; }

    /// <summary>Why the step was skipped, e.g. <c>no_jd_content</c>.</summary>
    public string? SkipReason { get; init; }
}
