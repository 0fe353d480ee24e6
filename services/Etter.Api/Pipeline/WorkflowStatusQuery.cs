using Etter.BuildingBlocks.Status;
using Etter.Orchestrator.Persistence;

namespace Etter.Api.Pipeline;

/// <summary>
/// Status lookup: the fast store (Redis) first; the saga store (authoritative) when the fast store lacks
/// the key or is unreachable. A projection can only lag, so the fallback is never staler than Redis.
/// </summary>
public sealed class WorkflowStatusQuery(IWorkflowStatusStore fastStore, SagaStatusReader sagaStore, ILogger<WorkflowStatusQuery> logger)
{
    public async Task<PipelineStatusResponse?> FindAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        PipelineStatusResponse? cached = null;
        try
        {
            cached = await fastStore.GetAsync(workflowId, cancellationToken);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning("Status store unavailable ({Reason}); reading the saga store.", ex.Message);
        }

        // Version 0 is the placeholder written at push time; the saga's own record is better once it exists.
        var status = cached is { Version: > 0 } ? cached : await FromSagaAsync(workflowId, cancellationToken) ?? cached;
        return status is { Status: Etter.Contracts.OnboardingStatuses.Queued }
            ? status with { PositionInQueue = await sagaStore.PositionInQueueAsync(workflowId, cancellationToken) }
            : status;
    }

    async Task<PipelineStatusResponse?> FromSagaAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        var authoritative = await sagaStore.FindAsync(workflowId, cancellationToken);
        return authoritative is null ? null : PipelineStatusMapper.From(authoritative);
    }
}
