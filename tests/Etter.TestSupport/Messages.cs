using Etter.Contracts;

namespace Etter.TestSupport;

/// <summary>Builders for the messages tests publish, with sensible defaults.</summary>
public static class Messages
{
    public const string SampleJd = """
        # Claims Adjuster

        ## Key Responsibilities

        - Enter claim data into the claims system
        - Inspect damaged property on site
        - Generate weekly loss reports
        """;

    public static OnboardRoleRequested Onboard(Guid? workflowId = null, string company = "Liberty Mutual", string role = "Claims Adjuster", bool draft = false) => new()
    {
        WorkflowId = workflowId ?? Guid.NewGuid(),
        CompanyId = company,
        RoleName = role,
        Documents = [new RoleDocument { Type = DocumentTypes.JobDescription, Content = SampleJd, Name = "jd.md" }],
        Options = new OnboardingOptions { UseMockAssessment = true, Draft = draft },
        RequestedBy = "tests",
        RequestedAt = DateTimeOffset.UtcNow,
    };

    public static RoleSetupCompleted RoleSetupCompleted(Guid workflowId, int attempt = 1, bool withJd = true) => new()
    {
        WorkflowId = workflowId,
        Attempt = attempt,
        RoleId = "role-1",
        JobDescription = withJd ? new JobDescriptionSummary { Title = "Claims Adjuster", Markdown = SampleJd, Source = "document" } : null,
        CompletedAt = DateTimeOffset.UtcNow,
    };

    public static AiAssessmentCompleted AssessmentCompleted(Guid workflowId, int attempt = 1, double score = 61) => new()
    {
        WorkflowId = workflowId,
        Attempt = attempt,
        Result = new AssessmentResult { AiAutomationScore = score, FinalScore = score, Engine = "mock", IsMock = true },
        CompletedAt = DateTimeOffset.UtcNow,
    };

    public static OnboardingError Error(string code, bool recoverable) => new() { Code = code, Message = $"{code} happened", Recoverable = recoverable };
}
