namespace Etter.Contracts;

public sealed record RoleSetupFailed
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public OnboardingError Error { get; init; } = new();

    /// <summary>When the worker took the command.</summary>
    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FailedAt { get; init; }
}
