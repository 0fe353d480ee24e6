using Etter.Onboarding;

namespace Etter.Shared.Tests.Onboarding;

public sealed class CompanyRoleIdTests
{
    [Fact]
    public void SpacingAndCaseDifferences_GiveTheSameId()
    {
        Assert.Equal(CompanyRoleId.For("Liberty Mutual", "Claims Adjuster"), CompanyRoleId.For("  liberty   MUTUAL ", "claims adjuster"));
    }

    [Fact]
    public void DifferentRoles_GiveDifferentIds()
    {
        Assert.NotEqual(CompanyRoleId.For("Liberty Mutual", "Claims Adjuster"), CompanyRoleId.For("Liberty Mutual", "Risk Analyst"));
    }

    [Fact]
    public void Id_IsAStableVersion5Uuid()
    {
        var id = Guid.Parse(CompanyRoleId.For("Liberty Mutual", "Claims Adjuster"));

        Assert.Equal(5, id.Version);
        // Pinned: a change here would orphan every role already in the graph.
        Assert.Equal("10f1a860-e82a-57b0-b47d-11ef0cf87bcd", id.ToString());
    }
}
