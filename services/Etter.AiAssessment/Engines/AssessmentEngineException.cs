using Etter.Contracts;

namespace Etter.AiAssessment.Engines;

/// <summary>An assessment failure with a known cause; <see cref="Error"/> tells whether retrying can help.</summary>
public sealed class AssessmentEngineException : Exception
{
    public AssessmentEngineException(OnboardingError error, Exception? inner = null)
        : base(error.Message, inner)
    {
        Error = error;
    }

    public OnboardingError Error { get; }
}
