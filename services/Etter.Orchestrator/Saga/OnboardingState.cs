using System.Text.Json;
using Etter.BuildingBlocks.Validation;
using Etter.Contracts;
using MassTransit;

namespace Etter.Orchestrator.Saga;

/// <summary>The persisted state of one role-onboarding workflow. The correlation id is the workflow id.</summary>
public sealed class OnboardingState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }

    /// <summary>Optimistic-concurrency token, bumped by the repository on every write.</summary>
    public int Version { get; set; }

    public string CurrentState { get; set; } = "";

    /// <summary>Increments on every published status change; projections keep the highest they saw.</summary>
    public long Revision { get; set; }

    public string CompanyId { get; set; } = "";

    public string RoleName { get; set; } = "";

    public string? DraupRoleId { get; set; }

    public string? DraupRoleName { get; set; }

    public string? RequestedBy { get; set; }

    public string? BatchId { get; set; }

    /// <summary>The original request's documents and options as JSON, kept so a retry re-runs with the same inputs.</summary>
    public string RequestJson { get; set; } = "{}";

    public string? RoleId { get; set; }

    public string? JobDescriptionTitle { get; set; }

    public string? JobDescriptionMarkdown { get; set; }

    public string? JobDescriptionSource { get; set; }

    /// <summary>The assessment engine asked for; null means the AiAssessment service's default.</summary>
    public string? AssessmentEngine { get; set; }

    public string? CurrentStep { get; set; }

    public StepState RoleSetup { get; set; } = new();

    public StepState AiAssessment { get; set; } = new();

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public bool? ErrorRecoverable { get; set; }

    public string? FailedStep { get; set; }

    public double? FinalScore { get; set; }

    public string? AssessmentJson { get; set; }

    public DateTimeOffset QueuedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The status last published, so the next change event can say where it came from.</summary>
    public string? LastPublishedStatus { get; set; }

    public OnboardingError? Error => ErrorCode is null
        ? null
        : new OnboardingError { Code = ErrorCode, Message = ErrorMessage ?? "", Recoverable = ErrorRecoverable ?? false };

    /// <summary>Takes in a new request; returns false (and records why) when it fails validation.</summary>
    public bool Accept(OnboardRoleRequested request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        CompanyId = request.CompanyId?.Trim() ?? "";
        RoleName = request.RoleName?.Trim() ?? "";
        DraupRoleId = request.DraupRoleId;
        DraupRoleName = request.DraupRoleName;
        RequestedBy = request.RequestedBy;
        BatchId = request.BatchId;
        AssessmentEngine = request.Options?.UseMockAssessment == true ? "mock" : null;
        RequestJson = JsonSerializer.Serialize(new StoredRequest(request.Documents ?? [], request.Options ?? new OnboardingOptions()), StoredRequest.JsonOptions);
        QueuedAt = request.RequestedAt == default ? now : request.RequestedAt;
        UpdatedAt = now;

        var error = OnboardingRequestValidator.Validate(request);
        if (error is null)
        {
            return true;
        }

        Fail(error, step: null, now);
        return false;
    }

    public StoredRequest Request => JsonSerializer.Deserialize<StoredRequest>(RequestJson, StoredRequest.JsonOptions)
        ?? new StoredRequest([], new OnboardingOptions());

    public void RecordRoleSetupStarted(DateTimeOffset at)
    {
        RoleSetup.MarkRunning(at);
        CurrentStep = OnboardingSteps.RoleSetup;
        StartedAt ??= at;
    }

    public void RecordRoleSetupCompleted(RoleSetupCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        StartedAt ??= completed.CompletedAt;
        RoleSetup.MarkCompleted(completed.CompletedAt);
        RoleId = completed.RoleId;
        DraupRoleName = completed.DraupRoleName ?? DraupRoleName;
        JobDescriptionTitle = completed.JobDescription?.Title;
        JobDescriptionMarkdown = completed.JobDescription?.Markdown;
        JobDescriptionSource = completed.JobDescription?.Source;
        CurrentStep = OnboardingSteps.RoleSetup;
    }

    public bool HasJobDescription => !string.IsNullOrWhiteSpace(JobDescriptionMarkdown);

    public void SkipAssessment(string reason, DateTimeOffset at)
    {
        AiAssessment.MarkSkipped(reason, at);
        CurrentStep = OnboardingSteps.AiAssessment;
        CompletedAt = at;
    }

    public void RecordAssessmentStarted(DateTimeOffset at)
    {
        AiAssessment.MarkRunning(at);
        CurrentStep = OnboardingSteps.AiAssessment;
    }

    public void RecordAssessmentCompleted(AiAssessmentCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        AiAssessment.MarkCompleted(completed.CompletedAt);
        CurrentStep = OnboardingSteps.AiAssessment;
        FinalScore = completed.Result.FinalScore;
        AssessmentJson = JsonSerializer.Serialize(completed.Result, StoredRequest.JsonOptions);
        CompletedAt = completed.CompletedAt;
    }

    public void FailStep(StepState step, string stepName, OnboardingError error, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(step);
        step.MarkFailed(error, at);
        CurrentStep = stepName;
        Fail(error, stepName, at);
    }

    public AssessmentResult? Assessment => AssessmentJson is null
        ? null
        : JsonSerializer.Deserialize<AssessmentResult>(AssessmentJson, StoredRequest.JsonOptions);

    /// <summary>True when a result for <paramref name="attempt"/> of <paramref name="step"/> is still awaited.</summary>
    public static bool Awaits(StepState step, int attempt)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Attempt == attempt && step.Status is StepStatuses.Pending or StepStatuses.Running;
    }

    void Fail(OnboardingError error, string? step, DateTimeOffset at)
    {
        ErrorCode = error.Code;
        ErrorMessage = error.Message;
        ErrorRecoverable = error.Recoverable;
        FailedStep = step;
        CompletedAt = at;
    }
}
