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

    /// <summary>The newest workflow for this company role that has not finished yet, if any.</summary>
    public async Task<OnboardingStatus?> FindInFlightAsync(string companyId, string roleName, CancellationToken cancellationToken)
    {
        var key = Etter.BuildingBlocks.Taxonomy.CompanyRoleId.For(companyId, roleName);
        string[] inFlight = ["Draft", "Queued", "Processing"];
        var candidates = await db.Workflows.AsNoTracking()
            .Where(x => x.RoleKey == key && inFlight.Contains(x.CurrentState))
            .ToListAsync(cancellationToken);
        var newest = candidates.OrderByDescending(x => x.QueuedAt).FirstOrDefault();
        return newest is null ? null : OnboardingStatusSnapshot.From(newest);
    }
}
