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

    /// <summary>1-based place among its company's workflows still waiting for a slot, or null when not waiting.</summary>
    public async Task<int?> PositionInQueueAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        var row = await db.Workflows.AsNoTracking()
            .Where(x => x.CorrelationId == workflowId && x.AwaitingAdmission && x.AdmittedAt == null && x.CurrentState == "Queued")
            .Select(x => new { x.CompanyId, x.QueuedAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        return 1 + await db.Workflows.AsNoTracking().CountAsync(
            x => x.CompanyId == row.CompanyId && x.AwaitingAdmission && x.AdmittedAt == null && x.CurrentState == "Queued" && x.QueuedAt < row.QueuedAt,
            cancellationToken);
    }

    /// <summary>The newest finished (Ready or Degraded) workflow of this company role, if any.</summary>
    public async Task<OnboardingStatus?> FindLatestFinishedAsync(string companyId, string roleName, CancellationToken cancellationToken)
    {
        var key = Etter.BuildingBlocks.Taxonomy.CompanyRoleId.For(companyId, roleName);
        string[] finished = ["Ready", "Degraded"];
        var candidates = await db.Workflows.AsNoTracking()
            .Where(x => x.RoleKey == key && finished.Contains(x.CurrentState))
            .ToListAsync(cancellationToken);
        var newest = candidates.OrderByDescending(x => x.QueuedAt).FirstOrDefault();
        return newest is null ? null : OnboardingStatusSnapshot.From(newest);
    }

    /// <summary>The latest workflow status per role key, for the roles listing.</summary>
    public async Task<Dictionary<string, string>> LatestStatusByRoleKeyAsync(IReadOnlyCollection<string> roleKeys, CancellationToken cancellationToken)
    {
        var rows = await db.Workflows.AsNoTracking()
            .Where(x => roleKeys.Contains(x.RoleKey))
            .Select(x => new { x.RoleKey, x.CurrentState, x.QueuedAt })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(x => x.RoleKey)
            .ToDictionary(g => g.Key, g => OnboardingStatusSnapshot.WireStatus(g.OrderByDescending(x => x.QueuedAt).First().CurrentState), StringComparer.Ordinal);
    }

    /// <summary>Role keys of this set that have a workflow in flight, with that workflow's id.</summary>
    public async Task<Dictionary<string, Guid>> InFlightByRoleKeyAsync(IReadOnlyCollection<string> roleKeys, CancellationToken cancellationToken)
    {
        string[] inFlight = ["Draft", "Queued", "Processing"];
        var rows = await db.Workflows.AsNoTracking()
            .Where(x => roleKeys.Contains(x.RoleKey) && inFlight.Contains(x.CurrentState))
            .Select(x => new { x.RoleKey, x.CorrelationId, x.QueuedAt })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(x => x.RoleKey)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(x => x.QueuedAt).First().CorrelationId, StringComparer.Ordinal);
    }

    /// <summary>Every workflow of a batch, from the authoritative store (right even when Redis lost keys).</summary>
    public async Task<List<OnboardingStatus>> FindBatchAsync(string batchId, CancellationToken cancellationToken)
    {
        var states = await db.Workflows.AsNoTracking().Where(x => x.BatchId == batchId).ToListAsync(cancellationToken);
        return states.OrderBy(x => x.QueuedAt).ThenBy(x => x.RoleName, StringComparer.Ordinal).Select(OnboardingStatusSnapshot.From).ToList();
    }

    /// <summary>
    /// Newest-first page of workflows with keyset pagination on (queued_at, workflow_id), served by
    /// the (queued_at, workflow_id) index, so deep pages cost the same as the first.
    /// </summary>
    public async Task<List<OnboardingStatus>> ListAsync(WorkflowQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows = db.Workflows.AsNoTracking();
        if (query.State is { } state)
        {
            rows = rows.Where(x => x.CurrentState == state);
        }

        if (query.CompanyId is { } company)
        {
            rows = rows.Where(x => x.CompanyId == company);
        }

        if (query.FailedStep is { } failedStep)
        {
            rows = rows.Where(x => x.FailedStep == failedStep);
        }

        if (query.RoleContains is { } text)
        {
            rows = rows.Where(x => x.RoleName.ToLower().Contains(text.ToLower()));
        }

        if (query.Since is { } since)
        {
            rows = rows.Where(x => x.QueuedAt >= since);
        }

        if (query.Until is { } until)
        {
            rows = rows.Where(x => x.QueuedAt < until);
        }

        if (query.After is { } after)
        {
            rows = rows.Where(x => x.QueuedAt < after.QueuedAt || (x.QueuedAt == after.QueuedAt && x.CorrelationId.CompareTo(after.WorkflowId) < 0));
        }

        var page = await rows.OrderByDescending(x => x.QueuedAt).ThenByDescending(x => x.CorrelationId)
            .Take(query.Limit)
            .ToListAsync(cancellationToken);
        return page.Select(OnboardingStatusSnapshot.From).ToList();
    }

    /// <summary>Workflow counts per wire status, for live dashboards.</summary>
    public async Task<Dictionary<string, int>> CountByStatusAsync(CancellationToken cancellationToken)
    {
        var counts = await db.Workflows.AsNoTracking().GroupBy(x => x.CurrentState).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return counts.ToDictionary(c => OnboardingStatusSnapshot.WireStatus(c.Key), c => c.Count, StringComparer.Ordinal);
    }

    public async Task<List<History.OnboardingHistoryEntry>?> HistoryAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        if (!await db.Workflows.AnyAsync(x => x.CorrelationId == workflowId, cancellationToken))
        {
            return null;
        }

        return await db.History.AsNoTracking().Where(x => x.WorkflowId == workflowId).OrderBy(x => x.Id).ToListAsync(cancellationToken);
    }
}
