namespace Etter.RoleSetup.RoleGraph;

/// <summary>The job description linked to a company role (one per role).</summary>
public sealed record JobDescriptionRecord(
    string CompanyRoleId,
    string Title,
    string Content,
    string Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
