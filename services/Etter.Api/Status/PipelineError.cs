namespace Etter.Api.Status;

public sealed record PipelineError
{
    public string Code { get; init; } = "";

    public string Message { get; init; } = "";

    public bool Recoverable { get; init; }

    /// <summary>The step that failed, or null for a failure outside any step (validation).</summary>
    public string? Step { get; init; }
}
