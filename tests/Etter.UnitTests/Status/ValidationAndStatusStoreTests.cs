using Etter.StatusStore;
using Etter.Api.Status;
using Etter.Onboarding;
using Etter.Contracts;
using Etter.TestSupport;

namespace Etter.UnitTests.Status;

public sealed class ValidationAndStatusStoreTests
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

    [Fact]
    public async Task OlderVersion_NeverOverwritesNewerStatus()
    {
        var store = new InMemoryWorkflowStatusStore();
        var id = Guid.NewGuid();
        var newer = new OnboardingStatus { WorkflowId = id, Revision = 5, Status = "ready" };
        var older = newer with { Revision = 4, Status = "processing" };

        Assert.True(await store.TryWriteAsync(newer, CancellationToken.None));
        Assert.False(await store.TryWriteAsync(older, CancellationToken.None));
        Assert.Equal("ready", (await store.GetAsync(id, CancellationToken.None))!.Status);
    }

    [Fact]
    public void FailedStatus_MapsToFailedWithErrorAndStepDetail()
    {
        var status = new OnboardingStatus
        {
            WorkflowId = Guid.NewGuid(),
            Status = OnboardingStatuses.Failed,
            FailedStep = OnboardingSteps.AiAssessment,
            Error = new OnboardingError { Code = "X", Message = "engine down", Recoverable = true },
            Steps =
            [
                new StepStatus { Name = OnboardingSteps.RoleSetup, Status = StepStatuses.Completed, Attempt = 1 },
                new StepStatus { Name = OnboardingSteps.AiAssessment, Status = StepStatuses.Failed, Attempt = 1, Error = new OnboardingError { Code = "X", Message = "engine down", Recoverable = true } },
            ],
        };

        var response = PipelineStatusMapper.From(status);

        Assert.Equal("failed", response.Status);
        Assert.Equal("engine down", response.Error);
        Assert.Equal(OnboardingSteps.AiAssessment, response.ErrorDetail!.Step);
        Assert.True(response.Progress.Steps[1].Recoverable);
        Assert.Equal(1, response.Progress.Current);
    }
}
