using MassTransit;

namespace Etter.Orchestrator.Saga;

/// <summary>Turns a consumer crash (<see cref="Fault{T}"/>) into a step error, so the workflow fails visibly instead of hanging.</summary>
static class FaultError
{
    public static OnboardingError From<T>(Fault<T> fault, string code)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var exception = fault.Exceptions?.FirstOrDefault();
        var detail = exception is null ? "unknown error" : $"{exception.ExceptionType}: {exception.Message}";
        return new OnboardingError
        {
            Code = code,
            Message = $"The step's worker crashed: {detail}",
            // An unexpected crash is not a verdict on the input; running the step again may well succeed.
            Recoverable = true,
        };
    }
}
