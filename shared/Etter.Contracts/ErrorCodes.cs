namespace Etter.Contracts;

/// <summary>Error codes carried in <see cref="OnboardingError.Code"/>.</summary>
public static class ErrorCodes
{
    public const string ValidationError = "VALIDATION_ERROR";
    public const string RoleSetupFailed = "ROLE_SETUP_FAILED";
    public const string AssessmentFailed = "AI_ASSESSMENT_FAILED";
    public const string ConsumerFault = "CONSUMER_FAULT";
    public const string NotFound = "NOT_FOUND";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Timeout = "STEP_TIMEOUT";
    public const string WorkerLost = "WORKER_LOST";
    public const string WorkflowTimeout = "WORKFLOW_TIMEOUT";
}
