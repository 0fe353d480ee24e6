namespace Etter.RoleSetup.RoleGraph;

public sealed record CompanyRoleRecord(
    string Id,
    string CompanyName,
    string RoleName,
    string? DraupRoleId,
    string? DraupRole,
    string Source,
    string? CreatedBy,
    string? TraceId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
