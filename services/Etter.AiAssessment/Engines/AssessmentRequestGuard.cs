using Etter.AiAssessment.Engines.Scoring;
using Etter.Contracts;

namespace Etter.AiAssessment.Engines;

/// <summary>Checks every engine makes before it assesses, so that they all fail a request the same way.</summary>
public static class AssessmentRequestGuard
{
    /// <summary>
    /// The JD's responsibilities, or a final <see cref="ErrorCodes.AssessmentFailed"/> when there are none.
    /// <paramref name="toAssess"/> ends the message's "has no responsibilities ..." (e.g. <c>to assess</c>).
    /// </summary>
    public static IReadOnlyList<WorkloadActivity> RequireActivities(AssessmentRequest request, string toAssess)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(toAssess);

        var activities = string.IsNullOrWhiteSpace(request.JobDescriptionMarkdown)
            ? []
            : WorkloadActivityParser.Parse(request.JobDescriptionMarkdown);
        if (activities.Count == 0)
        {
            // Retrying cannot help an empty or bullet-less JD, so the failure is final.
            throw new AssessmentEngineException(new OnboardingError
            {
                Code = ErrorCodes.AssessmentFailed,
                Message = $"The job description for '{request.RoleName}' has no responsibilities {toAssess}.",
                Recoverable = false,
            });
        }

        return activities;
    }
}
