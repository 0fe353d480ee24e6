using Etter.Contracts;

namespace Etter.Api.Submissions;

/// <summary>What became of the accepted roles of a batch.</summary>
/// <param name="WorkflowIds">New workflows first, then the existing ones returned as they are.</param>
/// <param name="Reused">How many roles were already in flight (or onboarded with identical inputs).</param>
/// <param name="NotQueued">Roles the bus did not take; the caller reports them as rejected.</param>
public sealed record BatchSubmission(IReadOnlyList<Guid> WorkflowIds, int Reused, IReadOnlyList<OnboardRoleRequested> NotQueued)
{
    /// <summary>True when there was something to queue and none of it could be.</summary>
    public bool NothingQueued => NotQueued.Count > 0 && WorkflowIds.Count == Reused;
}
