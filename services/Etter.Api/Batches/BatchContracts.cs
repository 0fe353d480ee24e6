using Etter.Api.Pipeline;

namespace Etter.Api.Batches;

/// <summary>Body of <c>POST /push-batch</c>.</summary>
public sealed record PushBatchRequest
{
    public string? CompanyId { get; init; }

    public IReadOnlyList<BatchRole>? Roles { get; init; }

    public PushOptions? Options { get; init; }

    public string? CreatedBy { get; init; }
}

public sealed record BatchRole
{
    public string? CompanyId { get; init; }

    public string? RoleName { get; init; }

    public IReadOnlyList<PushDocument>? Documents { get; init; }

    public string? DraupRoleId { get; init; }

    public string? DraupRoleName { get; init; }
}

public sealed record PushBatchResponse(
    string BatchId,
    int TotalRoles,
    IReadOnlyList<Guid> WorkflowIds,
    string Status,
    int EstimatedDurationSeconds,
    string Message,
    IReadOnlyList<RejectedRole> Rejected,
    IReadOnlyList<UncertainRole> Uncertain);

/// <summary>A role of a batch that failed validation, with why: structured, not just counted in a message.</summary>
public sealed record RejectedRole(string? RoleName, int Index, string Error);

/// <summary>
/// A role the message bus failed on mid-write: it may be queued under <paramref name="WorkflowId"/>, or not. Neither
/// accepted nor rejected, so a client can follow the id or push the role again (which is safe).
/// </summary>
public sealed record UncertainRole(string RoleName, int Index, Guid WorkflowId, string Error);

public sealed record BatchStatusResponse(
    string BatchId,
    string CompanyId,
    int Total,
    int Queued,
    int InProgress,
    int Completed,
    int Failed,
    string State,
    double ProgressPercent,
    double SuccessRate,
    DateTimeOffset CreatedAt,
    IReadOnlyList<BatchRoleStatus> Roles);

public sealed record BatchRoleStatus(string RoleName, string CompanyId, Guid WorkflowId, string Status, string? Error, string? DashboardUrl);

public sealed record RetryFailedRequest
{
    public IReadOnlyList<Guid>? WorkflowIds { get; init; }

    public PushOptions? Options { get; init; }
}

public sealed record RetryFailedResponse(string BatchId, int RetriedCount, IReadOnlyList<Guid> NewWorkflowIds, string Message, IReadOnlyList<SkippedRetry> Skipped);

/// <summary>A workflow <c>POST /retry-failed</c> did not redrive, and why: named, so a client never counts a retry that was not sent.</summary>
public sealed record SkippedRetry(Guid WorkflowId, string Reason);
