namespace Etter.Contracts;

/// <summary>
/// Sent by the orchestrator's deadline sweeper when a workflow's stored deadline (retry due, step timeout,
/// heartbeat gap, workflow timeout) has passed. The saga re-checks which deadline is due, so duplicates are harmless.
/// </summary>
public sealed record OnboardingDeadlineReached
{
    public Guid WorkflowId { get; init; }

    public DateTimeOffset DueAt { get; init; }
}
