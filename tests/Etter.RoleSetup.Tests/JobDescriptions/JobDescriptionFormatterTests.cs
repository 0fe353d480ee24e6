using Etter.RoleSetup.JobDescriptions;

namespace Etter.RoleSetup.Tests.JobDescriptions;

public sealed class JobDescriptionFormatterTests
{
    const string PlainTextJd = """
        Claims Adjuster
        We investigate and settle property claims quickly and fairly.
        Responsibilities:
        • Inspect damaged property on site
        * Negotiate settlements with claimants
        1. Enter claim notes into the system
        Qualifications:
        - Three years of adjusting experience
        Benefits:
        Health insurance and a car allowance.
        """;

    [Fact]
    public void PlainTextJd_BecomesStandardMarkdownSections()
    {
        var markdown = JobDescriptionFormatter.Format("Claims Adjuster", PlainTextJd);

        Assert.StartsWith("# Claims Adjuster\n\n## Overview\n\nWe investigate and settle property claims quickly and fairly.", markdown, StringComparison.Ordinal);
        Assert.Contains("## Key Responsibilities\n\n- Inspect damaged property on site\n- Negotiate settlements with claimants\n- Enter claim notes into the system", markdown, StringComparison.Ordinal);
        Assert.Contains("## Requirements\n\n- Three years of adjusting experience", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownSection_IsKeptNotDropped()
    {
        var markdown = JobDescriptionFormatter.Format("Claims Adjuster", PlainTextJd);

        Assert.Contains("## Benefits\n\nHealth insurance and a car allowance.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void SameInput_SameOutput()
    {
        Assert.Equal(JobDescriptionFormatter.Format("Claims Adjuster", PlainTextJd), JobDescriptionFormatter.Format("Claims Adjuster", PlainTextJd));
    }

    [Fact]
    public void SubHeadingsUnderResponsibilities_AreKeptAsGroups()
    {
        const string jd = "## Responsibilities\n### Reporting\n- Compile monthly reports\n### Field work\n- Visit sites";

        var markdown = JobDescriptionFormatter.Format("Analyst", jd);

        Assert.Contains("### Reporting\n\n- Compile monthly reports", markdown, StringComparison.Ordinal);
        Assert.Contains("### Field work\n\n- Visit sites", markdown, StringComparison.Ordinal);
    }
}
