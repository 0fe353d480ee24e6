using System.Text.Json;

namespace Etter.Orchestrator.Saga;

/// <summary>Derived views of the stored state; computed when asked, never stored.</summary>
public static class OnboardingStateViews
{
    public static StepState Step(this OnboardingState state, string step)
    {
        ArgumentNullException.ThrowIfNull(state);
        return step == OnboardingSteps.RoleSetup ? state.RoleSetup : state.AiAssessment;
    }

    public static bool HasJobDescription(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return !string.IsNullOrWhiteSpace(state.JobDescriptionMarkdown);
    }

    public static OnboardingError? Error(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.ErrorCode is null
            ? null
            : new OnboardingError { Code = state.ErrorCode, Message = state.ErrorMessage ?? "", Recoverable = state.ErrorRecoverable ?? false };
    }

    public static StoredRequest Request(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return JsonSerializer.Deserialize<StoredRequest>(state.RequestJson, StoredRequest.JsonOptions) ?? new StoredRequest([], new OnboardingOptions());
    }

    public static AssessmentResult? Assessment(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.AssessmentJson is null ? null : JsonSerializer.Deserialize<AssessmentResult>(state.AssessmentJson, StoredRequest.JsonOptions);
    }
}
