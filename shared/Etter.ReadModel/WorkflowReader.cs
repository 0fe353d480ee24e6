using Etter.Contracts;
using Etter.Onboarding;
using Etter.Persistence;
using Etter.StatusStore;
using Microsoft.EntityFrameworkCore;

namespace Etter.ReadModel;

/// <summary>
/// Workflow queries straight from the orchestrator's tables: the authoritative answers behind status fallbacks,
/// listings, batches and history. No locks are taken, so readers never wait on the saga's writers.
/// </summary>
public sealed class WorkflowReader(WorkflowReadDbContext db)
{
    // Compiled once: the status read behind every cache miss of GET status.
    static readonly CompiledQuery<Func<WorkflowReadDbContext, Guid, CancellationToken, Task<string?>>> StatusJsonQuery = new(() =>
        EF.CompileAsyncQuery((WorkflowReadDbContext db, Guid workflowId, CancellationToken cancellationToken) =>
            db.Workflows.AsNoTracking().Where(x => x.WorkflowId == workflowId).Select(x => x.StatusJson).SingleOrDefault()));

    public async Task<OnboardingStatus?> FindAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        var json = await StatusJsonQuery.For(db)(db, workflowId, cancellationToken);
        return Status(json);
    }

    /// <summary>The newest workflow for this company role that has not finished yet, if any.</summary>
    public Task<OnboardingStatus?> FindInFlightAsync(string companyId, string roleName, CancellationToken cancellationToken) =>
        NewestAsync(CompanyRoleId.For(companyId, roleName), WorkflowStates.InFlight, cancellationToken);

    /// <summary>The newest finished (Ready or Degraded) workflow of this company role, if any.</summary>
    public Task<OnboardingStatus?> FindLatestFinishedAsync(string companyId, string roleName, CancellationToken cancellationToken) =>
        NewestAsync(CompanyRoleId.For(companyId, roleName), WorkflowStates.Finished, cancellationToken);

    /// <summary>1-based place among its company's workflows still waiting for a slot, or null when not waiting.</summary>
    public async Task<int?> PositionInQueueAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        var waiting = WaitingForAdmission();
        var row = await waiting.Where(x => x.WorkflowId == workflowId).Select(x => new { x.CompanyId, x.QueuedAt }).SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        return 1 + await waiting.CountAsync(x => x.CompanyId == row.CompanyId && x.QueuedAt < row.QueuedAt, cancellationToken);
    }

    /// <summary>
    /// The latest workflow status (wire name) per role key, for the roles listing. A duplicate is only the record of a
    /// repeated push; the role's status is that of the workflow doing the work.
    /// </summary>
    public async Task<Dictionary<string, string>> LatestStatusByRoleKeyAsync(IReadOnlyCollection<string> roleKeys, CancellationToken cancellationToken)
    {
        var rows = await db.Workflows.AsNoTracking()
            .Where(x => roleKeys.Contains(x.RoleKey) && x.CurrentState != WorkflowStates.Duplicate)
            .Select(x => new { x.RoleKey, x.CurrentState, x.QueuedAt })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(x => x.RoleKey)
            .ToDictionary(g => g.Key, g => WorkflowStates.ToWire(g.OrderByDescending(x => x.QueuedAt).First().CurrentState), StringComparer.Ordinal);
    }

    /// <summary>Role keys of this set that have a workflow in flight, with that workflow's id.</summary>
    public async Task<Dictionary<string, Guid>> InFlightByRoleKeyAsync(IReadOnlyCollection<string> roleKeys, CancellationToken cancellationToken)
    {
        var rows = await db.Workflows.AsNoTracking()
            .Where(x => roleKeys.Contains(x.RoleKey) && WorkflowStates.InFlight.Contains(x.CurrentState))
            .Select(x => new { x.RoleKey, x.WorkflowId, x.QueuedAt })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(x => x.RoleKey)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(x => x.QueuedAt).First().WorkflowId, StringComparer.Ordinal);
    }

    /// <summary>Every workflow of a batch, from the authoritative store (right even when Redis lost keys); duplicates left out.</summary>
    public async Task<List<OnboardingStatus>> FindBatchAsync(string batchId, CancellationToken cancellationToken)
    {
        var rows = await db.Workflows.AsNoTracking().Where(x => x.BatchId == batchId && x.CurrentState != WorkflowStates.Duplicate)
            .Select(x => new { x.QueuedAt, x.RoleName, x.StatusJson })
            .ToListAsync(cancellationToken);
        return rows.OrderBy(x => x.QueuedAt).ThenBy(x => x.RoleName, StringComparer.Ordinal).Select(x => Status(x.StatusJson)).OfType<OnboardingStatus>().ToList();
    }

    /// <summary>
    /// Newest-first page of workflows with keyset pagination on (queued_at, workflow_id), served by
    /// the (queued_at, workflow_id) index, so deep pages cost the same as the first.
    /// </summary>
    public async Task<List<OnboardingStatus>> ListAsync(WorkflowQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows = db.Workflows.AsNoTracking();

        // Duplicates are pointers to the workflow doing the work: listed only when asked for.
        rows = query.State is { } state ? rows.Where(x => x.CurrentState == state) : rows.Where(x => x.CurrentState != WorkflowStates.Duplicate);

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
            rows = rows.Where(x => x.QueuedAt < after.QueuedAt || (x.QueuedAt == after.QueuedAt && x.WorkflowId.CompareTo(after.WorkflowId) < 0));
        }

        var page = await rows.OrderByDescending(x => x.QueuedAt).ThenByDescending(x => x.WorkflowId)
            .Take(query.Limit)
            .Select(x => x.StatusJson)
            .ToListAsync(cancellationToken);
        return page.Select(Status).OfType<OnboardingStatus>().ToList();
    }

    /// <summary>Workflow counts per wire status, for live dashboards.</summary>
    public async Task<Dictionary<string, int>> CountByStatusAsync(CancellationToken cancellationToken)
    {
        var counts = await db.Workflows.AsNoTracking().GroupBy(x => x.CurrentState).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return counts.ToDictionary(c => WorkflowStates.ToWire(c.Key), c => c.Count, StringComparer.Ordinal);
    }

    /// <summary>A workflow's audit trail, oldest first; null when the workflow does not exist.</summary>
    public async Task<List<WorkflowHistoryRecord>?> HistoryAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        if (!await db.Workflows.AnyAsync(x => x.WorkflowId == workflowId, cancellationToken))
        {
            return null;
        }

        return await db.History.AsNoTracking().Where(x => x.WorkflowId == workflowId).OrderBy(x => x.Id).ToListAsync(cancellationToken);
    }

    public Task<bool> CanConnectAsync(CancellationToken cancellationToken) => db.Database.CanConnectAsync(cancellationToken);

    IQueryable<WorkflowRecord> WaitingForAdmission() =>
        db.Workflows.AsNoTracking().Where(x => x.AwaitingAdmission && x.AdmittedAt == null && x.CurrentState == WorkflowStates.Queued);

    async Task<OnboardingStatus?> NewestAsync(string roleKey, string[] states, CancellationToken cancellationToken)
    {
        var rows = await db.Workflows.AsNoTracking()
            .Where(x => x.RoleKey == roleKey && states.Contains(x.CurrentState))
            .Select(x => new { x.QueuedAt, x.StatusJson })
            .ToListAsync(cancellationToken);
        return Status(rows.OrderByDescending(x => x.QueuedAt).FirstOrDefault()?.StatusJson);
    }

    static OnboardingStatus? Status(string? json) => json is null ? null : StatusDocument.Deserialize(json);
}
