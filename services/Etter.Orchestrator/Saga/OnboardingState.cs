using System.Text.Json;
using Etter.Onboarding;
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

    /// <summary>The company role's deterministic id, known from the start; finds a role's in-flight workflow.</summary>
    public string RoleKey { get; set; } = "";

    /// <summary>When a failed attempt is due to be retried, and which step.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    public string? RetryStep { get; set; }

    /// <summary>When the running attempt times out (set once a worker has started it).</summary>
    public DateTimeOffset? StepDeadlineAt { get; set; }

    /// <summary>When the running attempt's worker counts as lost unless it sends a heartbeat first.</summary>
    public DateTimeOffset? HeartbeatDeadlineAt { get; set; }

    public DateTimeOffset? WorkflowDeadlineAt { get; set; }

    /// <summary>The earliest of the deadlines above; what the sweeper indexes and polls.</summary>
    public DateTimeOffset? NextDeadlineAt { get; set; }

    public string? CancelReason { get; set; }

    public string? InputHash { get; set; }

    /// <summary>Queued but not yet given one of its company's slots (see the admission controller).</summary>
    public bool AwaitingAdmission { get; set; }

    /// <summary>W3C traceparent of the request, so work started later (admission) joins the workflow's trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>When the admission controller gave this workflow a slot; written by the controller.</summary>
    public DateTimeOffset? AdmittedAt { get; set; }

    public Guid? SupersededBy { get; set; }

    /// <summary>Who issued the command being handled; recorded in the history, then cleared.</summary>
    public string? Actor { get; set; }

    /// <summary>The step whose attempt ended while handling this message (for metrics); not stored.</summary>
    public string? FinishedStep { get; set; }

    /// <summary>What handling a deadline decided; lives only while one message is handled.</summary>
    public DeadlineOutcome PendingOutcome { get; set; }

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
        Actor = request.RequestedBy;
        RoleKey = Etter.Onboarding.CompanyRoleId.For(request.CompanyId ?? "", request.RoleName ?? "");
        InputHash = OnboardingInputHash.Compute(request);
        TraceParent = System.Diagnostics.Activity.Current?.Id;
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

    /// <summary>Starts the clock on the whole workflow once it is queued (a Draft may wait indefinitely).</summary>
    public void StartWorkflowClock(DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WorkflowDeadlineAt = now + options.WorkflowTimeout;
        UpdateNextDeadline();
    }

    public void RecordRoleSetupStarted(DateTimeOffset at, DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RoleSetup.MarkRunning(at);
        CurrentStep = OnboardingSteps.RoleSetup;
        StartedAt ??= at;
        ArmStepDeadlines(options.RoleSetup, now);
    }

    public void RecordRoleSetupCompleted(RoleSetupCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        StartedAt ??= completed.CompletedAt;
        RoleSetup.MarkCompleted(completed.CompletedAt);
        FinishedStep = OnboardingSteps.RoleSetup;
        RoleId = completed.RoleId;
        DraupRoleName = completed.DraupRoleName ?? DraupRoleName;
        JobDescriptionTitle = completed.JobDescription?.Title;
        JobDescriptionMarkdown = completed.JobDescription?.Markdown;
        JobDescriptionSource = completed.JobDescription?.Source;
        CurrentStep = OnboardingSteps.RoleSetup;
        ClearStepDeadlines();
    }

    public bool HasJobDescription => !string.IsNullOrWhiteSpace(JobDescriptionMarkdown);

    public void SkipAssessment(string reason, DateTimeOffset at)
    {
        AiAssessment.MarkSkipped(reason, at);
        CurrentStep = OnboardingSteps.AiAssessment;
        CompletedAt = at;
        ClearAllDeadlines();
    }

    public void RecordAssessmentStarted(DateTimeOffset at, DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AiAssessment.MarkRunning(at);
        CurrentStep = OnboardingSteps.AiAssessment;
        ArmStepDeadlines(options.AiAssessment, now);
    }

    /// <summary>A heartbeat from the running attempt's worker pushes the lost-worker deadline out.</summary>
    public void RecordHeartbeat(DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AiAssessment.HeartbeatTimeout is { } gap)
        {
            HeartbeatDeadlineAt = now + gap;
            UpdateNextDeadline();
        }
    }

    public void RecordAssessmentCompleted(AiAssessmentCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        AiAssessment.MarkCompleted(completed.CompletedAt);
        FinishedStep = OnboardingSteps.AiAssessment;
        CurrentStep = OnboardingSteps.AiAssessment;
        FinalScore = completed.Result.FinalScore;
        AssessmentJson = JsonSerializer.Serialize(completed.Result, StoredRequest.JsonOptions);
        CompletedAt = completed.CompletedAt;
        ClearAllDeadlines();
    }

    public StepState Step(string stepName) => stepName == OnboardingSteps.RoleSetup ? RoleSetup : AiAssessment;

    /// <summary>
    /// The single retry layer: a failed attempt is retried after the policy's backoff while the error is
    /// recoverable and attempts remain; otherwise the workflow fails at this step. Returns true when a
    /// retry was scheduled.
    /// </summary>
    public bool RecordStepFailure(string stepName, OnboardingError error, DateTimeOffset at, DateTimeOffset now, OrchestratorOptions options, double random)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(options);
        var step = Step(stepName);
        var policy = stepName == OnboardingSteps.RoleSetup ? options.RoleSetup : options.AiAssessment;
        step.MarkFailed(error, at);
        FinishedStep = stepName;
        CurrentStep = stepName;
        ClearStepDeadlines();
        if (error.Recoverable && step.AttemptsThisRun < policy.MaxAttempts)
        {
            RetryAt = now + policy.DelayBefore(step.AttemptsThisRun, random);
            RetryStep = stepName;
            UpdateNextDeadline();
            return true;
        }

        var final = step.AttemptsThisRun > 1 && error.Recoverable
            ? error with { Message = $"{error.Message} (gave up after {step.AttemptsThisRun} attempts)" }
            : error;
        Fail(final, stepName, at);
        ClearAllDeadlines();
        return false;
    }

    /// <summary>Decides what the deadlines due at <paramref name="now"/> call for, and records it in <see cref="PendingOutcome"/>.</summary>
    public void EvaluateDeadlines(DateTimeOffset now, OrchestratorOptions options, double random)
    {
        ArgumentNullException.ThrowIfNull(options);
        PendingOutcome = DeadlineOutcome.None;
        if (WorkflowDeadlineAt <= now)
        {
            var error = new OnboardingError
            {
                Code = ErrorCodes.WorkflowTimeout,
                Message = $"The workflow did not finish within {options.WorkflowTimeout}.",
                Recoverable = true,
            };
            if (CurrentStep is { } step && Step(step).Status is StepStatuses.Pending or StepStatuses.Running)
            {
                Step(step).MarkFailed(error, now);
            }

            Fail(error, CurrentStep, now);
            ClearAllDeadlines();
            PendingOutcome = DeadlineOutcome.Failed;
            return;
        }

        if (RetryAt <= now && RetryStep is { } retryStep)
        {
            RetryAt = null;
            RetryStep = null;
            UpdateNextDeadline();
            PendingOutcome = retryStep == OnboardingSteps.RoleSetup ? DeadlineOutcome.RetryRoleSetup : DeadlineOutcome.RetryAssessment;
            return;
        }

        var running = RoleSetup.Status == StepStatuses.Running ? OnboardingSteps.RoleSetup
            : AiAssessment.Status == StepStatuses.Running ? OnboardingSteps.AiAssessment
            : null;
        var dispatched = running is null && CurrentStep is { } current && Step(current) is { Status: StepStatuses.Pending, Attempt: > 0 } ? current : null;
        OnboardingError? lost = null;
        if (running is not null && StepDeadlineAt <= now)
        {
            var policy = running == OnboardingSteps.RoleSetup ? options.RoleSetup : options.AiAssessment;
            lost = new OnboardingError { Code = ErrorCodes.Timeout, Message = $"{running} attempt {Step(running).Attempt} did not finish within {policy.Timeout}.", Recoverable = true };
        }
        else if (dispatched is not null && StepDeadlineAt <= now)
        {
            running = dispatched;
            lost = new OnboardingError { Code = ErrorCodes.WorkerLost, Message = $"{dispatched} attempt {Step(dispatched).Attempt} was never started by a worker; the command is presumed lost.", Recoverable = true };
        }
        else if (running is not null && HeartbeatDeadlineAt <= now)
        {
            lost = new OnboardingError { Code = ErrorCodes.WorkerLost, Message = $"{running} attempt {Step(running).Attempt} stopped sending heartbeats; its worker is presumed lost.", Recoverable = true };
        }

        if (lost is not null)
        {
            PendingOutcome = RecordStepFailure(running!, lost, now, now, options, random) ? DeadlineOutcome.RetryScheduled : DeadlineOutcome.Failed;
            return;
        }

        // Nothing due (a duplicate or early dispatch): just re-arm the sweeper on the real deadlines.
        UpdateNextDeadline();
    }

    /// <summary>Prepares a redrive of a Failed workflow: from the failed step, or from the start when forced.</summary>
    public string PrepareRedrive(bool forceRerun, string? actor)
    {
        ClearError();
        Actor = actor;
        CompletedAt = null;
        var from = forceRerun || RoleSetup.Status != StepStatuses.Completed ? OnboardingSteps.RoleSetup : OnboardingSteps.AiAssessment;
        if (from == OnboardingSteps.RoleSetup)
        {
            RoleSetup.Reset();
            JobDescriptionMarkdown = null;
        }

        AiAssessment.Reset();
        FinalScore = null;
        AssessmentJson = null;
        return from;
    }

    public void Cancel(string? reason, string? actor, DateTimeOffset now)
    {
        AwaitingAdmission = false;
        CancelReason = string.IsNullOrWhiteSpace(reason) ? "cancelled on request" : reason.Trim();
        Actor = actor;
        CompletedAt = now;
        ClearAllDeadlines();
        foreach (var step in new[] { RoleSetup, AiAssessment }.Where(s => s.Status is StepStatuses.Pending or StepStatuses.Running))
        {
            step.MarkSkipped("cancelled", now);
        }
    }

    /// <summary>A step command was just sent: it must be started within the policy's start timeout.</summary>
    public void ArmStartDeadline(StepPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        StepDeadlineAt = now + policy.StartTimeout;
        HeartbeatDeadlineAt = null;
        UpdateNextDeadline();
    }

    void ArmStepDeadlines(StepPolicy policy, DateTimeOffset now)
    {
        StepDeadlineAt = now + policy.Timeout;
        HeartbeatDeadlineAt = policy.HeartbeatTimeout is { } gap ? now + gap : null;
        UpdateNextDeadline();
    }

    void ClearStepDeadlines()
    {
        StepDeadlineAt = null;
        HeartbeatDeadlineAt = null;
        UpdateNextDeadline();
    }

    void ClearAllDeadlines()
    {
        StepDeadlineAt = null;
        HeartbeatDeadlineAt = null;
        RetryAt = null;
        RetryStep = null;
        WorkflowDeadlineAt = null;
        NextDeadlineAt = null;
    }

    void UpdateNextDeadline() =>
        NextDeadlineAt = new[] { RetryAt, StepDeadlineAt, HeartbeatDeadlineAt, WorkflowDeadlineAt }.Where(d => d.HasValue).Min();

    void ClearError()
    {
        ErrorCode = null;
        ErrorMessage = null;
        ErrorRecoverable = null;
        FailedStep = null;
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
