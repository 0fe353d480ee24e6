namespace Etter.Contracts;

/// <summary>
/// Event published by the saga on every change, for status projections (Redis, live views).
/// Carries the whole status so a projection never needs to read the saga store.
/// </summary>
public sealed record OnboardingStateChanged
{
    public Guid WorkflowId { get; init; }

    public string? PreviousStatus { get; init; }

    public OnboardingStatus Status { get; init; } = new();
}
