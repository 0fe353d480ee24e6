namespace Etter.Api.Status;

/// <summary>
/// The status document of the pipeline API (<c>GET /api/v1/pipeline/status/{id}</c>), serialized in
/// snake_case. The same JSON is what the status projection stores in Redis, so the API can return it as is.
/// Field names up to <see cref="Error"/> are the old service's; the rest are additions.
/// </summary>
public sealed record PipelineStatusResponse
{
    public Guid WorkflowId { get; init; }

    public string? RoleId { get; init; }

    public string CompanyId { get; init; } = "";

    public string RoleName { get; init; } = "";

    public string Status { get; init; } = "";

    public string? CurrentStep { get; init; }

    public PipelineProgress Progress { get; init; } = new();

    public DateTimeOffset QueuedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public int? PositionInQueue { get; init; }

    public int? EstimatedDurationSeconds { get; init; }

    public string? DashboardUrl { get; init; }

    /// <summary>The failure message (a string, as the old API had it); details in <see cref="ErrorDetail"/>.</summary>
    public string? Error { get; init; }

    public PipelineError? ErrorDetail { get; init; }

    /// <summary>Increases with every change; a projection never replaces a higher version with a lower one.</summary>
    public long Version { get; init; }

    public string? DraupRoleName { get; init; }

    public string? BatchId { get; init; }

    public double? FinalScore { get; init; }

    /// <summary>While a failed attempt waits to be retried: when the retry is due.</summary>
    public DateTimeOffset? NextRetryAt { get; init; }

    public string? CancelReason { get; init; }

    /// <summary>When the workflow is stale: the newer workflow that re-ran the role.</summary>
    public Guid? SupersededBy { get; init; }

    /// <summary>
    /// When the workflow is a duplicate (status <c>duplicate</c>): the workflow of the same role that was already
    /// in flight and does the work.
    /// </summary>
    public Guid? DuplicateOf { get; init; }

    public Contracts.AssessmentResult? Assessment { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
