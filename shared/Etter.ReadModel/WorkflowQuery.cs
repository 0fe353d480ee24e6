namespace Etter.ReadModel;

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
