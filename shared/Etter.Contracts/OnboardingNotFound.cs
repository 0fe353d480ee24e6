namespace Etter.Contracts;

public sealed record OnboardingNotFound
{
    public Guid WorkflowId { get; init; }
}
