namespace Etter.RoleSetup.Taxonomy;

/// <summary>
/// The sample JDs embedded under <c>Taxonomy/SampleData/jd/&lt;company-slug&gt;/&lt;job-title-slug&gt;.md</c>.
/// A role is found the same way <see cref="SampleTaxonomyProvider.FindRole"/> finds it, so a JD can be
/// asked for by title ("Senior Underwriter") or by job role ("Underwriter").
/// </summary>
public sealed class SampleJobDescriptions : ISampleJobDescriptions
{
    public string? Find(string companyName, string roleName)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        ArgumentNullException.ThrowIfNull(roleName);
        var catalog = SampleDataCatalog.Instance;
        var company = catalog.FindCompany(companyName);
        var role = company is null ? null : SampleDataCatalog.FindRole(company, roleName);
        return company is null || role is null ? null : catalog.JobDescription(company, role);
    }
}
