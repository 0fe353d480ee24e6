namespace Etter.AiAssessment.Persistence;

public static class AssessmentRunStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
