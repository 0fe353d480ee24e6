using Etter.Api.Status;
using Etter.Contracts;
using Etter.ReadModel;
using Etter.StatusStore;

namespace Etter.Api.Pipeline;

/// <summary>
/// Status lookup: the fast store (Redis) first; the saga store (authoritative) when the fast store lacks
/// the key or is unreachable. Redis gets each status from the orchestrator's outbox after the saga's commit, so it
/// can only lag the saga store: the fallback is never staler than Redis.
/// </summary>
public sealed class WorkflowStatusQuery(IWorkflowStatusStore fastStore, WorkflowReader workflows, ILogger<WorkflowStatusQuery> logger)
{
    public async Task<PipelineStatusResponse?> FindAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        OnboardingStatus? cached = null;
        try
        {
            cached = await fastStore.GetAsync(workflowId, cancellationToken);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning("Status store unavailable ({Reason}); reading the saga store.", ex.Message);
        }

        // Revision 0 is the placeholder written at push time; the saga's own record is better once it exists.
        var status = cached is { Revision: > 0 } ? cached : await workflows.FindAsync(workflowId, cancellationToken) ?? cached;
        if (status is null)
        {
            return null;
        }

        var response = PipelineStatusMapper.From(status);
        return status.Status == OnboardingStatuses.Queued
            ? response with { PositionInQueue = await workflows.PositionInQueueAsync(workflowId, cancellationToken) }
            : response;
    }
}
