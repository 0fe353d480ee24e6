namespace Etter.RoleSetup.Taxonomy;

/// <summary>Which companies and roles exist, and how they map onto Draup roles.</summary>
public interface ITaxonomyProvider
{
    IReadOnlyList<string> GetCompanies();

    /// <summary>Roles of a company matched case-insensitively; an unknown company yields an empty list.</summary>
    IReadOnlyList<TaxonomyRole> GetRoles(string companyName);

    /// <summary>Finds a role by job title or job role, case- and whitespace-insensitively.</summary>
    TaxonomyRole? FindRole(string companyName, string roleName);
}
