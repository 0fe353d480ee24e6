namespace Etter.RoleSetup.Taxonomy;

/// <summary>
/// The taxonomy that ships inside this assembly (<c>Taxonomy/SampleData/taxonomy.json</c>). Names match
/// case-insensitively with whitespace collapsed; a company also matches by slug ("walmart inc").
/// </summary>
/// <remarks>Cheap to create: every instance reads the same data, loaded once per process on first use.</remarks>
public sealed class SampleTaxonomyProvider : ITaxonomyProvider
{
    public IReadOnlyList<string> GetCompanies() => SampleDataCatalog.Instance.CompanyNames;

    public IReadOnlyList<TaxonomyRole> GetRoles(string companyName)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        return SampleDataCatalog.Instance.FindCompany(companyName)?.Roles ?? [];
    }

    public TaxonomyRole? FindRole(string companyName, string roleName)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        ArgumentNullException.ThrowIfNull(roleName);
        var company = SampleDataCatalog.Instance.FindCompany(companyName);
        return company is null ? null : SampleDataCatalog.FindRole(company, roleName);
    }
}
