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

    [Theory]
    [InlineData("draup_role_id", 128)]
    [InlineData("draup_role_name", 256)]
    [InlineData("created_by", 256)]
    public void OverlongOptionalField_IsRejectedNamingItAndItsLimit(string field, int limit)
    {
        var atLimit = With(Messages.Onboard(), field, new string('x', limit));
        var over = With(Messages.Onboard(), field, new string('x', limit + 1));

        Assert.Null(OnboardingRequestValidator.Validate(atLimit));
        var error = OnboardingRequestValidator.Validate(over);
        Assert.NotNull(error);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    static OnboardRoleRequested With(OnboardRoleRequested request, string field, string value) => field switch
    {
        "draup_role_id" => request with { DraupRoleId = value },
        "draup_role_name" => request with { DraupRoleName = value },
        "created_by" => request with { RequestedBy = value },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

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
