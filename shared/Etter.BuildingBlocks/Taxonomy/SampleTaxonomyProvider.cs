namespace Etter.BuildingBlocks.Taxonomy;

// Placeholder until the sample data lands.
public sealed class SampleTaxonomyProvider : ITaxonomyProvider
{
    public IReadOnlyList<string> GetCompanies() => [];

    public IReadOnlyList<TaxonomyRole> GetRoles(string companyName) => [];

    public TaxonomyRole? FindRole(string companyName, string roleName) => null;
}
