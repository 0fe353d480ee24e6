using Etter.Contracts;
using Etter.Orchestrator.Saga;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Persistence;

/// <summary>Reads a workflow's status straight from the saga table: the authoritative answer, without a lock.</summary>
public sealed class SagaStatusReader(OrchestratorDbContext db)
{
    public async Task<OnboardingStatus?> FindAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        var state = await db.Workflows.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == workflowId, cancellationToken);
        return state is null ? null : OnboardingStatusSnapshot.From(state);
    }
}
