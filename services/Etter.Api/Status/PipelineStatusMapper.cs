using System.Text.Json;
using Etter.Contracts;

namespace Etter.Api.Status;

/// <summary>From the saga's <see cref="OnboardingStatus"/> to the API's status document.</summary>
public static class PipelineStatusMapper
{
    /// <summary>Typical step durations from the product brief, used for the remaining-time estimate.</summary>
    static readonly Dictionary<string, int> TypicalStepSeconds = new(StringComparer.Ordinal)
    {
        [OnboardingSteps.RoleSetup] = 5 * 60,
        [OnboardingSteps.AiAssessment] = 30 * 60,
    };

    /// <summary>snake_case, as the old service's API; shared by the API and the Redis projection.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static PipelineStatusResponse From(OnboardingStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var finished = status.Steps.Count(s => s.Status is StepStatuses.Completed or StepStatuses.Skipped);
        var terminal = OnboardingStatuses.IsTerminal(status.Status);
        return new PipelineStatusResponse
        {
            WorkflowId = status.WorkflowId,
            RoleId = status.RoleId,
            CompanyId = status.CompanyId,
            RoleName = status.RoleName,
            Status = status.Status,
            CurrentStep = status.CurrentStep,
            Progress = new PipelineProgress
            {
                Current = finished,
                Total = status.Steps.Count,
                Steps = status.Steps.Select(Step).ToList(),
            },
            QueuedAt = status.QueuedAt,
            StartedAt = status.StartedAt,
            CompletedAt = status.CompletedAt,
            PositionInQueue = null,
            EstimatedDurationSeconds = terminal
                ? 0
                : status.Steps.Where(s => s.Status is StepStatuses.Pending or StepStatuses.Running)
                    .Sum(s => TypicalStepSeconds.GetValueOrDefault(s.Name)),
            DashboardUrl = $"/dashboard/#/workflows/{status.WorkflowId}",
            Error = status.Error?.Message,
            ErrorDetail = status.Error is null
                ? null
                : new PipelineError { Code = status.Error.Code, Message = status.Error.Message, Recoverable = status.Error.Recoverable, Step = status.FailedStep },
            Version = status.Revision,
            DraupRoleName = status.DraupRoleName,
            BatchId = status.BatchId,
            FinalScore = status.FinalScore,
            NextRetryAt = status.NextRetryAt,
            CancelReason = status.CancelReason,
            SupersededBy = status.SupersededBy,
            DuplicateOf = status.DuplicateOf,
            Assessment = status.Assessment,
            UpdatedAt = status.UpdatedAt,
        };
    }

    static PipelineStep Step(StepStatus step) => new()
    {
        Name = step.Name,
        Status = step.Status,
        DurationMs = step.DurationMs,
        StartedAt = step.StartedAt,
        CompletedAt = step.CompletedAt,
        ErrorMessage = step.Error?.Message,
        ErrorCode = step.Error?.Code,
        Recoverable = step.Error?.Recoverable,
        Attempt = step.Attempt,
        SkipReason = step.SkipReason,
    };
}
