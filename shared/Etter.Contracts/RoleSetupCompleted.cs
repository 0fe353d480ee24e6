namespace Etter.Contracts;

/// <summary>role_setup finished an attempt; it says when the attempt started, as no separate start event is sent.</summary>
public sealed record RoleSetupCompleted
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public string RoleId { get; init; } = "";

    public string? DraupRoleName { get; init; }

    /// <summary>The linked job description, or null when no JD content could be found.</summary>
    public JobDescriptionSummary? JobDescription { get; init; }

    /// <summary>When the worker took the command; the queue wait is the time from dispatch to here.</summary>
    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset CompletedAt { get; init; }
}
