namespace Etter.Contracts;

/// <summary>Asks RoleSetup for one company's roles in the taxonomy; answered with <see cref="CompanyRoleCatalog"/>.</summary>
public sealed record GetCompanyRoles
{
    public string CompanyName { get; init; } = "";
}
