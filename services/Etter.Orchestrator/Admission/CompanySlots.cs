using Etter.Orchestrator.Persistence;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Admission;

/// <summary>
/// Claims and returns company slots inside the caller's transaction. On PostgreSQL a claim takes the lowest free
/// slot that no concurrent transaction holds (<c>FOR UPDATE SKIP LOCKED</c>), so simultaneous admissions of one
/// company never wait on each other and can never exceed the limit. Slots are created, a block at a time, as a company needs them.
/// </summary>
public static class CompanySlots
{
    /// <summary>How often a claim retries when another transaction created the slot it tried to create.</summary>
    const int GrowAttempts = 3;

    /// <summary>How many slots a company gains when it has no free one and is below its limit.</summary>
    const int GrowBy = 32;

    /// <returns>The claimed slot, or null when the company is at its limit (or every free slot is being taken right now).</returns>
    public static async Task<int?> ClaimAsync(OrchestratorDbContext db, string companyId, Guid workflowId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        // MATERIALIZED runs the locking pick once. As a plain subquery of UPDATE ... FROM, the planner may rescan it
        // for every slot row of the company, and with SKIP LOCKED each rescan picks another free slot: one claim
        // then took all of them.
        var claimFree = db.RunsOnPostgres()
            ? """
              WITH free AS MATERIALIZED (
                  SELECT slot FROM admission_slot WHERE company_id = @company AND slot < @limit AND workflow_id IS NULL
                  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
              UPDATE admission_slot s SET workflow_id = @workflow
              FROM free
              WHERE s.company_id = @company AND s.slot = free.slot
              RETURNING s.slot
              """
            : """
              UPDATE admission_slot SET workflow_id = @workflow
              WHERE company_id = @company AND slot = (SELECT slot FROM admission_slot
                    WHERE company_id = @company AND slot < @limit AND workflow_id IS NULL ORDER BY slot LIMIT 1)
              RETURNING slot
              """;

        for (var attempt = 0; attempt < GrowAttempts; attempt++)
        {
            if (await ScalarAsync(db, claimFree, companyId, workflowId, limit, cancellationToken) is { } free)
            {
                return free;
            }

            // Slots are created a block at a time: one per claim made a burst of a new company's pushes race for
            // the same next slot, and every loser fell back to waiting for admission although the company had room.
            if (!await GrowAsync(db, companyId, limit, cancellationToken) && !await AnyFreeOrRoomAsync(db, companyId, limit, cancellationToken))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Gives the slot back, if this workflow still holds it.</summary>
    /// <remarks>
    /// A plain command, like the claim: every finished workflow runs it, and EF Core's <c>ExecuteUpdate</c> rebuilt and
    /// looked up its LINQ query on every call (about 2 % of the embedded benchmark's CPU for this one statement).
    /// </remarks>
    public static async Task ReleaseAsync(OrchestratorDbContext db, string companyId, int slot, Guid workflowId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        const string release = "UPDATE admission_slot SET workflow_id = NULL WHERE company_id = @company AND slot = @slot AND workflow_id = @workflow";
        await PlainCommand.ExecuteAsync(db, release, new Dictionary<string, object?> { ["company"] = companyId, ["slot"] = slot, ["workflow"] = PlainCommand.Guid(db, workflowId) }, cancellationToken);
    }

    /// <summary>
    /// Adds the next <see cref="GrowBy"/> free slots below the limit. A concurrent grower of the same block makes this
    /// one wait for its commit and then add nothing, after which its free slots can be claimed. False if at the limit.
    /// </summary>
    static async Task<bool> GrowAsync(OrchestratorDbContext db, string companyId, int limit, CancellationToken cancellationToken)
    {
        // The WHERE matters twice: it keeps the block below the limit, and without it SQLite would read ON CONFLICT
        // as a join constraint of the SELECT.
        const string grow = """
            WITH RECURSIVE
                first(slot) AS (SELECT COALESCE(MAX(slot) + 1, 0) FROM admission_slot WHERE company_id = @company),
                next(slot) AS (SELECT slot FROM first UNION ALL SELECT next.slot + 1 FROM next, first WHERE next.slot + 1 < first.slot + @growBy)
            INSERT INTO admission_slot (company_id, slot, workflow_id)
            SELECT @company, slot, NULL FROM next WHERE slot < @limit
            ON CONFLICT DO NOTHING
            """;
        return await PlainCommand.ExecuteAsync(db, grow, new Dictionary<string, object?> { ["company"] = companyId, ["limit"] = limit, ["growBy"] = GrowBy }, cancellationToken) > 0;
    }

    static async Task<bool> AnyFreeOrRoomAsync(OrchestratorDbContext db, string companyId, int limit, CancellationToken cancellationToken)
    {
        var slots = db.Slots.AsNoTracking().Where(x => x.CompanyId == companyId && x.Slot < limit);
        return await slots.CountAsync(cancellationToken) < limit || await slots.AnyAsync(x => x.WorkflowId == null, cancellationToken);
    }

    static async Task<int?> ScalarAsync(OrchestratorDbContext db, string sql, string companyId, Guid workflowId, int limit, CancellationToken cancellationToken)
    {
        var result = await PlainCommand.ScalarAsync(db, sql, new Dictionary<string, object?> { ["company"] = companyId, ["workflow"] = PlainCommand.Guid(db, workflowId), ["limit"] = limit }, cancellationToken);
        return result is null or DBNull ? null : Convert.ToInt32(result, System.Globalization.CultureInfo.InvariantCulture);
    }
}
