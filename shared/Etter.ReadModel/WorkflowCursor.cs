namespace Etter.ReadModel;

/// <summary>The last row of a page: the next page starts after it.</summary>
public sealed record WorkflowCursor(DateTimeOffset QueuedAt, Guid WorkflowId);
