using Etter.Api.Status;
using Etter.Contracts;

namespace Etter.Api.Tests;

public sealed class PipelineStatusMapperTests
{
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
