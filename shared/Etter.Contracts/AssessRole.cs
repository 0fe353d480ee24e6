namespace Etter.Contracts;

/// <summary>Command to the AiAssessment service: score how much of the role AI can automate or augment.</summary>
public sealed record AssessRole
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public string RoleId { get; init; } = "";

    public string CompanyId { get; init; } = "";

    public string RoleName { get; init; } = "";

    public string? DraupRoleName { get; init; }

    public string JobDescriptionMarkdown { get; init; } = "";

    /// <summary>Engine to use; null means the service's configured default.</summary>
    public string? Engine { get; init; }
}
