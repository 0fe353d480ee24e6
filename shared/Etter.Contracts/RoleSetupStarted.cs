namespace Etter.Contracts;

public sealed record RoleSetupStarted
{
    public Guid WorkflowId { get; init; }

    public int Attempt { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}
