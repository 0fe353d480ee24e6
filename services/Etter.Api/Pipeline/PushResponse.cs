namespace Etter.Api.Pipeline;

/// <summary>Answer of <c>POST /push</c>, field for field as the old API.</summary>
public sealed record PushResponse(
    Guid WorkflowId,
    string? RoleId,
    string Status,
    int EstimatedDurationSeconds,
    int? PositionInQueue,
    string Message);
