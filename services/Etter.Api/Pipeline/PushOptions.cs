namespace Etter.Api.Pipeline;

public sealed record PushOptions
{
    public bool SkipEnhancementWorkflows { get; init; }

    public bool ForceRerun { get; init; }

    public bool NotifyOnComplete { get; init; } = true;

    /// <summary>Park the workflow in Draft until submitted.</summary>
    public bool Draft { get; init; }
}
