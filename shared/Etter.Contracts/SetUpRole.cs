namespace Etter.Contracts;

/// <summary>Command to the RoleSetup service: create the company role and link its job description.</summary>
public sealed record SetUpRole
{
    public Guid WorkflowId { get; init; }

    /// <summary>Which attempt of the role_setup step this is; results of other attempts are ignored.</summary>
    public int Attempt { get; init; }

    public string CompanyId { get; init; } = "";

    public string RoleName { get; init; } = "";

    public string? DraupRoleId { get; init; }

    public string? DraupRoleName { get; init; }

    public IReadOnlyList<RoleDocument>? Documents { get; init; }

    public string? RequestedBy { get; init; }
}
