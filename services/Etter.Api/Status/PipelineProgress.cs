namespace Etter.Api.Status;

public sealed record PipelineProgress
{
    /// <summary>Steps finished (completed or skipped).</summary>
    public int Current { get; init; }

    public int Total { get; init; }

    public IReadOnlyList<PipelineStep> Steps { get; init; } = [];
}
