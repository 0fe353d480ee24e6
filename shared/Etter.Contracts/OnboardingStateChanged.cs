namespace Etter.Contracts;

/// <summary>
/// Public event for outside subscribers: a workflow's status changed. By default it is published when a workflow
/// finishes (ready, degraded, failed, cancelled, validation_error, duplicate); <c>Etter:Orchestrator:StateChangedEvents</c>
/// can ask for every change or none. Carries the whole status, so a subscriber never needs to read the saga store.
/// Etter's own status store does not depend on it.
/// </summary>
public sealed record OnboardingStateChanged
{
    public Guid WorkflowId { get; init; }

    public string? PreviousStatus { get; init; }

    public OnboardingStatus Status { get; init; } = new();
}
