namespace Etter.Api.Status;

public sealed record PipelineStep
{
    public string Name { get; init; } = "";

    public string Status { get; init; } = "";

    public long? DurationMs { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ErrorCode { get; init; }

    /// <summary>Whether running the step again can help; null when the step has not failed.</summary>
    public bool? Recoverable { get; init; }

    public int Attempt { get; init; }

    public string? SkipReason { get; init; }
}
