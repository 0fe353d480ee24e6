namespace Etter.Contracts;

/// <summary>Request: the current status of a workflow. Answered by <see cref="OnboardingStatus"/> or <see cref="OnboardingNotFound"/>.</summary>
public sealed record GetOnboardingStatus
{
    public Guid WorkflowId { get; init; }
}
