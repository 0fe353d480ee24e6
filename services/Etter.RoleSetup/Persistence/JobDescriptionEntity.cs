namespace Etter.RoleSetup.Persistence;

public sealed class JobDescriptionEntity
{
    /// <summary>Also the key: a role has exactly one job description (the HAS_JOB_DESCRIPTION edge).</summary>
    public string CompanyRoleId { get; set; } = "";

    public string Title { get; set; } = "";

    public string Content { get; set; } = "";

    public string Source { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
