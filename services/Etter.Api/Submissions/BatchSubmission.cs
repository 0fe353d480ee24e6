using Etter.Contracts;

namespace Etter.Api.Submissions;

/// <summary>What became of the accepted roles of a batch.</summary>
/// <param name="WorkflowIds">New workflows first, then the existing ones returned as they are.</param>
/// <param name="Reused">How many roles were already in flight (or onboarded with identical inputs).</param>
/// <param name="NotQueued">Roles that never reached the bus; the caller reports them as rejected.</param>
/// <param name="Uncertain">Roles the bus failed on mid-write: they may have been queued under their own ids.</param>
public sealed record BatchSubmission(IReadOnlyList<Guid> WorkflowIds, int Reused, IReadOnlyList<OnboardRoleRequested> NotQueued, IReadOnlyList<OnboardRoleRequested> Uncertain)
{
    /// <summary>True when there was something to queue and, for certain, none of it was.</summary>
    public bool NothingQueued => NotQueued.Count > 0 && WorkflowIds.Count == Reused && Uncertain.Count == 0;
}
