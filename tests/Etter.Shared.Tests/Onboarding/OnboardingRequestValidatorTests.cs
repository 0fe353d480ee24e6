using Etter.Contracts;
using Etter.Onboarding;
using Etter.TestSupport;

namespace Etter.Shared.Tests.Onboarding;

public sealed class OnboardingRequestValidatorTests
{
    [Theory]
    [InlineData("", "Claims Adjuster", "company_id")]
    [InlineData("Liberty Mutual", " ", "role_name")]
    public void BlankNames_AreRejectedNamingTheField(string company, string role, string field)
    {
        var error = OnboardingRequestValidator.Validate(Messages.Onboard(company: company, role: role));

        Assert.NotNull(error);
        Assert.Equal(ErrorCodes.ValidationError, error.Code);
        Assert.False(error.Recoverable);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonHttpDocumentUri_IsRejected()
    {
        var request = Messages.Onboard() with { Documents = [new RoleDocument { Type = "job_description", Uri = "file:///etc/passwd" }] };

        Assert.Contains("http", OnboardingRequestValidator.Validate(request)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedInlineContent_IsRejected()
    {
        var request = Messages.Onboard() with { Documents = [new RoleDocument { Content = new string('x', 2048) }] };

        Assert.NotNull(OnboardingRequestValidator.Validate(request, maxInlineContentBytes: 1024));
    }

    [Fact]
    public void ValidRequest_Passes()
    {
        Assert.Null(OnboardingRequestValidator.Validate(Messages.Onboard()));
    }
}
