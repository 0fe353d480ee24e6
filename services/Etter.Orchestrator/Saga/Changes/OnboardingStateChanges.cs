using System.Text.Json;
using Etter.Onboarding;
using Etter.Orchestrator.Saga.Decisions;

namespace Etter.Orchestrator.Saga.Changes;

/// <summary>How a workflow's state changes as its events arrive. The state machine says when; these say what.</summary>
public static class OnboardingStateChanges
{
    /// <summary>
    /// Takes in a new request; whether it is valid is the state machine's question. What it keeps is clipped to its
    /// column: an invalid request from a publisher (a name of 5,000 characters) must still be recorded, as
    /// validation_error, rather than fail every insert and never be seen.
    /// </summary>
    public static void TakeRequest(this OnboardingState state, OnboardRoleRequested request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        state.CompanyId = Clip(request.CompanyId?.Trim(), OnboardingStateMap.CompanyIdLength) ?? "";
        state.RoleName = Clip(request.RoleName?.Trim(), OnboardingStateMap.RoleNameLength) ?? "";
        state.DraupRoleId = Clip(request.DraupRoleId, OnboardingStateMap.DraupRoleIdLength);
        state.DraupRoleName = Clip(request.DraupRoleName, OnboardingStateMap.DraupRoleNameLength);
        state.RequestedBy = Clip(request.RequestedBy, OnboardingStateMap.RequestedByLength);
        state.RoleKey = CompanyRoleId.For(request.CompanyId ?? "", request.RoleName ?? "");
        state.InputHash = OnboardingInputHash.Compute(request);
        state.TraceParent = System.Diagnostics.Activity.Current?.Id;
        state.BatchId = request.BatchId;
        state.AssessmentEngine = request.Options?.UseMockAssessment == true ? "mock" : null;
        state.RequestJson = JsonSerializer.Serialize(new StoredRequest(request.Documents ?? [], request.Options ?? new OnboardingOptions()), StoredRequest.JsonOptions);
        state.QueuedAt = request.RequestedAt == default ? now : request.RequestedAt;
        state.UpdatedAt = now;
    }

    /// <summary>Takes its role's in-flight claim, unless it was forced to run beside another workflow of the role.</summary>
    public static void ClaimRole(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.InFlightKey = state.Request().Options.ForceRerun ? null : state.RoleKey;
    }

    /// <summary>No company slot free (or others queue first): <paramref name="step"/> starts once one is given.</summary>
    public static void AwaitAdmission(this OnboardingState state, string step)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.AwaitingAdmission = true;
        state.PendingStep = step;
    }

    /// <summary>The workflow holds <paramref name="slot"/> of its company from now until it finishes.</summary>
    public static void Admit(this OnboardingState state, int slot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.AdmissionSlot = slot;
        state.AdmittedAt = now;
        state.AwaitingAdmission = false;
        state.PendingStep = null;
    }

    public static void RecordStepStarted(this OnboardingState state, string step, DateTimeOffset at, DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        state.Step(step).MarkRunning(at);
        state.CurrentStep = step;
        if (step == OnboardingSteps.RoleSetup)
        {
            state.StartedAt ??= at;
        }

        state.ArmRun(options.PolicyFor(step), now);
    }

    public static void RecordRoleSetupCompleted(this OnboardingState state, RoleSetupCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(completed);
        state.RoleSetup.MarkRunning(StartOf(completed.StartedAt, completed.CompletedAt));
        state.StartedAt ??= state.RoleSetup.StartedAt;
        state.RoleSetup.MarkCompleted(completed.CompletedAt);
        state.RoleId = completed.RoleId;
        state.DraupRoleName = completed.DraupRoleName ?? state.DraupRoleName;
        state.JobDescriptionTitle = completed.JobDescription?.Title;
        state.JobDescriptionMarkdown = completed.JobDescription?.Markdown;
        state.JobDescriptionSource = completed.JobDescription?.Source;
        state.CurrentStep = OnboardingSteps.RoleSetup;
        state.ClearStep();
    }

    public static void SkipAssessment(this OnboardingState state, string reason, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.AiAssessment.MarkSkipped(reason, at);
        state.CurrentStep = OnboardingSteps.AiAssessment;
        state.CompletedAt = at;
        state.ClearAll();
    }

    public static void RecordAssessmentCompleted(this OnboardingState state, AiAssessmentCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(completed);
        state.AiAssessment.MarkRunning(StartOf(completed.StartedAt, completed.CompletedAt));
        state.AiAssessment.MarkCompleted(completed.CompletedAt);
        state.CurrentStep = OnboardingSteps.AiAssessment;
        state.FinalScore = completed.Result.FinalScore;
        state.AssessmentJson = JsonSerializer.Serialize(completed.Result, StoredRequest.JsonOptions);
        state.CompletedAt = completed.CompletedAt;
        state.ClearAll();
    }

    /// <summary>Starts the next attempt of <paramref name="step"/>; its command goes out with this change.</summary>
    public static void BeginAttempt(this OnboardingState state, string step, DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        state.Step(step).BeginAttempt();
        state.CurrentStep = step;
        state.ArmStart(options.PolicyFor(step), now);
    }

    /// <summary>An attempt failed (its worker said so, crashed, or went silent); what follows is <see cref="RetryRules"/>' call.</summary>
    /// <param name="startedAt">When the worker took it, when known.</param>
    public static void RecordAttemptFailed(this OnboardingState state, string step, OnboardingError error, DateTimeOffset at, DateTimeOffset? startedAt = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (startedAt is { } started && started != default)
        {
            state.Step(step).StartedAt ??= started;

            // A workflow whose first attempt failed has still started; its status would otherwise show no start at all.
            state.StartedAt ??= started;
        }

        state.Step(step).MarkFailed(error, at);
        state.CurrentStep = step;
        state.ClearStep();
    }

    public static void Apply(this OnboardingState state, string step, RetryDecision decision, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        switch (decision)
        {
            case RetryDecision.RetryAt retry:
                state.ScheduleRetry(step, retry.At);
                break;
            case RetryDecision.GiveUp giveUp:
                state.Fail(giveUp.Error, step, at);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(decision), decision, "Unknown retry decision.");
        }
    }

    public static void TimeOut(this OnboardingState state, OnboardingError error, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.CurrentStep is { } step && state.Step(step).Status is StepStatuses.Pending or StepStatuses.Running)
        {
            state.Step(step).MarkFailed(error, now);
        }

        state.Fail(error, state.CurrentStep, now);
    }

    /// <summary>Prepares a redrive of a Failed workflow from <paramref name="step"/> (see <see cref="RedriveRules"/>).</summary>
    public static void PrepareRedrive(this OnboardingState state, string step, DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        state.ErrorCode = null;
        state.ErrorMessage = null;
        state.ErrorRecoverable = null;
        state.FailedStep = null;
        state.CompletedAt = null;
        if (step == OnboardingSteps.RoleSetup)
        {
            state.RoleSetup.Reset();
            state.JobDescriptionMarkdown = null;
        }

        state.AiAssessment.Reset();
        state.FinalScore = null;
        state.AssessmentJson = null;
        state.StartWorkflowClock(now, options.WorkflowTimeout);
    }

    public static void Cancel(this OnboardingState state, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.AwaitingAdmission = false;
        state.CancelReason = string.IsNullOrWhiteSpace(reason) ? "cancelled on request" : Clip(reason.Trim(), OnboardingStateMap.CancelReasonLength);
        state.CompletedAt = now;
        state.ClearAll();
        foreach (var step in new[] { state.RoleSetup, state.AiAssessment }.Where(s => s.Status is StepStatuses.Pending or StepStatuses.Running))
        {
            step.MarkSkipped("cancelled", now);
        }
    }

    /// <summary>Ends the workflow with <paramref name="error"/>, at <paramref name="step"/> (null: the request itself).</summary>
    public static void Fail(this OnboardingState state, OnboardingError error, string? step, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(error);
        state.ErrorCode = error.Code;
        state.ErrorMessage = error.Message;
        state.ErrorRecoverable = error.Recoverable;
        state.FailedStep = step;
        state.CompletedAt = at;
        state.ClearAll();
    }

    /// <summary>Workers of an earlier version sent no start time: the attempt then counts from its end.</summary>
    static DateTimeOffset StartOf(DateTimeOffset startedAt, DateTimeOffset completedAt) => startedAt == default ? completedAt : startedAt;

    /// <summary>The value cut to the column's length (a publisher's command is not validated by the API).</summary>
    public static string? Clip(string? value, int length) => value is not null && value.Length > length ? value[..length] : value;
}
