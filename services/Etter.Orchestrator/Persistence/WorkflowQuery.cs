namespace Etter.Orchestrator.Persistence;

/// <summary>Filters and page position for listing workflows; <see cref="State"/> is the saga state name (e.g. "Failed").</summary>
public sealed record WorkflowQuery(
    string? State = null,
    string? CompanyId = null,
    string? FailedStep = null,
    string? RoleContains = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    WorkflowCursor? After = null,
    int Limit = 50);

/// <summary>The last row of a page: the next page starts after it.</summary>
public sealed record WorkflowCursor(DateTimeOffset QueuedAt, Guid WorkflowId);
