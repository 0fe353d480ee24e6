namespace Etter.RoleSetup.Persistence;

public sealed class CompanyRoleEntity
{
    public string Id { get; set; } = "";

    public string CompanyName { get; set; } = "";

    public string RoleName { get; set; } = "";

    public string? DraupRoleId { get; set; }

    public string? DraupRole { get; set; }

    public string Source { get; set; } = "";

    public string? CreatedBy { get; set; }

    public string? TraceId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public JobDescriptionEntity? JobDescription { get; set; }
}
