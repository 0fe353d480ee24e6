namespace Etter.Contracts;

public sealed record RoleSetupCompleted
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public string RoleId { get; init; } = "";

    public string? DraupRoleName { get; init; }

    /// <summary>The linked job description, or null when no JD content could be found.</summary>
    public JobDescriptionSummary? JobDescription { get; init; }

    public DateTimeOffset CompletedAt { get; init; }
}
