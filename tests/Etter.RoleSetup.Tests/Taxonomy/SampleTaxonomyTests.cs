using Etter.RoleSetup.Taxonomy;

namespace Etter.RoleSetup.Tests.Taxonomy;

public sealed class SampleTaxonomyTests
{
    readonly SampleTaxonomyProvider _taxonomy = new();
    readonly SampleJobDescriptions _jobDescriptions = new();

    public static TheoryData<string, string[]> RolesByCompany => new()
    {
        { "Liberty Mutual", ["Claims Adjuster", "Senior Underwriter", "Risk Analyst"] },
        { "Walmart Inc.", ["Store Manager", "Software Development Engineer", "Supply Chain Analyst"] },
        { "Acme Corporation", ["Senior Product Manager", "Data Scientist"] },
    };

    [Fact]
    public void GetCompanies_ListsTheSampleCompaniesInFileOrder()
    {
        Assert.Equal(["Liberty Mutual", "Walmart Inc.", "Acme Corporation"], _taxonomy.GetCompanies());
    }

    [Theory]
    [MemberData(nameof(RolesByCompany))]
    public void GetRoles_KnownCompany_ListsItsRolesWithEveryField(string company, string[] titles)
    {
        var roles = _taxonomy.GetRoles(company);

        Assert.Equal(titles, roles.Select(r => r.JobTitle));
        Assert.All(roles, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.JobId));
            Assert.False(string.IsNullOrWhiteSpace(r.JobRole));
            Assert.False(string.IsNullOrWhiteSpace(r.DraupRole));
            Assert.False(string.IsNullOrWhiteSpace(r.Occupation));
            Assert.False(string.IsNullOrWhiteSpace(r.JobFamily));
        });
    }

    [Fact]
    public void GetRoles_RolesCarryTheirStableIdsAndDraupRoles()
    {
        var underwriter = Assert.Single(_taxonomy.GetRoles("Liberty Mutual"), r => r.JobTitle == "Senior Underwriter");
        var engineer = Assert.Single(_taxonomy.GetRoles("Walmart Inc."), r => r.JobTitle == "Software Development Engineer");
        var productManager = Assert.Single(_taxonomy.GetRoles("Acme Corporation"), r => r.JobTitle == "Senior Product Manager");

        Assert.Equal(("LM-002", "Underwriter", "Underwriter"), (underwriter.JobId, underwriter.JobRole, underwriter.DraupRole));
        Assert.Equal(("WMT-002", "Software Engineer"), (engineer.JobId, engineer.DraupRole));
        Assert.Equal(("ACME-001", "Product Manager"), (productManager.JobId, productManager.DraupRole));
    }

    [Fact]
    public void JobIds_AreUniqueAcrossCompanies()
    {
        var ids = _taxonomy.GetCompanies().SelectMany(_taxonomy.GetRoles).Select(r => r.JobId).ToList();

        Assert.Equal(8, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [InlineData("Globex")]
    [InlineData("")]
    [InlineData("   ")]
    public void GetRoles_UnknownCompany_ReturnsEmpty(string company)
    {
        Assert.Empty(_taxonomy.GetRoles(company));
    }

    [Theory]
    [InlineData("liberty mutual")]
    [InlineData("  LIBERTY   Mutual ")]
    [InlineData("Liberty\tMutual")]
    public void GetRoles_CompanyNameWithOtherCaseOrSpacing_StillMatches(string company)
    {
        Assert.Equal(3, _taxonomy.GetRoles(company).Count);
    }

    [Theory]
    [InlineData("Walmart Inc")]
    [InlineData("walmart-inc")]
    public void GetRoles_CompanyNameWithoutItsPunctuation_MatchesBySlug(string company)
    {
        Assert.Equal(3, _taxonomy.GetRoles(company).Count);
    }

    [Theory]
    [InlineData("Liberty Mutual", "claims  adjuster", "LM-001")]
    [InlineData("Walmart Inc.", "SUPPLY CHAIN ANALYST", "WMT-003")]
    [InlineData("acme corporation", " Data Scientist ", "ACME-002")]
    public void FindRole_ByJobTitle_FindsTheRole(string company, string role, string expectedJobId)
    {
        Assert.Equal(expectedJobId, _taxonomy.FindRole(company, role)?.JobId);
    }

    [Theory]
    [InlineData("Liberty Mutual", "Underwriter", "Senior Underwriter")]
    [InlineData("Walmart Inc.", "software engineer", "Software Development Engineer")]
    [InlineData("Acme Corporation", "Product Manager", "Senior Product Manager")]
    public void FindRole_ByJobRole_FindsTheRole(string company, string role, string expectedTitle)
    {
        Assert.Equal(expectedTitle, _taxonomy.FindRole(company, role)?.JobTitle);
    }

    [Theory]
    [InlineData("Liberty Mutual", "Store Manager")]
    [InlineData("Liberty Mutual", "Astronaut")]
    [InlineData("Globex", "Data Scientist")]
    [InlineData("Acme Corporation", "")]
    public void FindRole_RoleNotInThatCompany_ReturnsNull(string company, string role)
    {
        Assert.Null(_taxonomy.FindRole(company, role));
    }

    [Fact]
    public void EveryRole_HasASampleJobDescriptionNamingIt()
    {
        foreach (var company in _taxonomy.GetCompanies())
        {
            foreach (var role in _taxonomy.GetRoles(company))
            {
                var jd = _jobDescriptions.Find(company, role.JobTitle);

                Assert.True(jd is { Length: > 500 }, $"{company} / {role.JobTitle} has no sample JD of substance.");
                Assert.Contains(role.JobTitle, jd, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void SampleJobDescriptions_AreDistinctPerRole()
    {
        var jds = _taxonomy.GetCompanies()
            .SelectMany(c => _taxonomy.GetRoles(c).Select(r => _jobDescriptions.Find(c, r.JobTitle)))
            .ToList();

        Assert.Equal(jds.Count, jds.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void SampleJobDescription_ByJobRoleOrOddSpacing_IsTheSameText()
    {
        var byTitle = _jobDescriptions.Find("Liberty Mutual", "Senior Underwriter");

        Assert.NotNull(byTitle);
        Assert.Equal(byTitle, _jobDescriptions.Find("Liberty Mutual", "Underwriter"));
        Assert.Equal(byTitle, _jobDescriptions.Find("  liberty mutual", "senior   UNDERWRITER "));
    }

    [Theory]
    [InlineData("Globex", "Data Scientist")]
    [InlineData("Acme Corporation", "Astronaut")]
    public void SampleJobDescription_UnknownCompanyOrRole_IsNull(string company, string role)
    {
        Assert.Null(_jobDescriptions.Find(company, role));
    }

    [Fact]
    public void Providers_UsedConcurrently_SeeTheSameData()
    {
        var counts = new int[32];

        Parallel.For(0, counts.Length, i => counts[i] = new SampleTaxonomyProvider().GetRoles("Walmart Inc.").Count);

        Assert.All(counts, c => Assert.Equal(3, c));
    }

    [Theory]
    [InlineData("  Walmart   Inc. ", "walmart inc.")]
    [InlineData("Claims\t\nAdjuster", "claims adjuster")]
    [InlineData("", "")]
    public void Normalize_TrimsCollapsesWhitespaceAndLowerCases(string name, string expected)
    {
        Assert.Equal(expected, TaxonomyNames.Normalize(name));
    }

    [Theory]
    [InlineData("Walmart Inc.", "walmart-inc")]
    [InlineData("Liberty Mutual", "liberty-mutual")]
    [InlineData("  Data & Analytics ", "data-analytics")]
    [InlineData("Claims Adjuster – Property", "claims-adjuster-property")]
    [InlineData("---", "")]
    public void Slug_KeepsLettersAndDigitsAndDashesTheRest(string name, string expected)
    {
        Assert.Equal(expected, TaxonomyNames.Slug(name));
    }
}
