namespace Etter.AiAssessment.Engines;

public sealed record AssessmentRequest(
    string CompanyId,
    string RoleName,
    string? DraupRoleName,
    string JobDescriptionMarkdown);
