using System.Data.Common;
using Etter.Orchestrator.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Orchestrator.Admission;

/// <summary>
/// Claims and returns company slots inside the caller's transaction. On PostgreSQL a claim takes the lowest free
/// slot that no concurrent transaction holds (<c>FOR UPDATE SKIP LOCKED</c>), so simultaneous admissions of one
/// company never wait on each other and can never exceed the limit. Slots are created as a company first needs them.
/// </summary>
public static class CompanySlots
{
    /// <summary>How often a claim retries when another transaction created the slot it tried to create.</summary>
    const int GrowAttempts = 3;

    /// <returns>The claimed slot, or null when the company is at its limit (or every free slot is being taken right now).</returns>
    public static async Task<int?> ClaimAsync(OrchestratorDbContext db, string companyId, Guid workflowId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var postgres = db.Database.IsNpgsql();
        var claimFree = postgres
            ? """
              UPDATE admission_slot s SET workflow_id = @workflow
              FROM (SELECT slot FROM admission_slot WHERE company_id = @company AND slot < @limit AND workflow_id IS NULL
                    ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED) free
              WHERE s.company_id = @company AND s.slot = free.slot
              RETURNING s.slot
              """
            : """
              UPDATE admission_slot SET workflow_id = @workflow
              WHERE company_id = @company AND slot = (SELECT slot FROM admission_slot
                    WHERE company_id = @company AND slot < @limit AND workflow_id IS NULL ORDER BY slot LIMIT 1)
              RETURNING slot
              """;

        // A new slot after the highest; a concurrent creator of the same one wins and this attempt tries again.
        const string grow = """
            INSERT INTO admission_slot (company_id, slot, workflow_id)
            SELECT @company, COALESCE(MAX(slot) + 1, 0), @workflow FROM admission_slot WHERE company_id = @company
            HAVING COALESCE(MAX(slot) + 1, 0) < @limit
            ON CONFLICT DO NOTHING
            RETURNING slot
            """;
        for (var attempt = 0; attempt < GrowAttempts; attempt++)
        {
            if (await ScalarAsync(db, claimFree, companyId, workflowId, limit, cancellationToken) is { } free)
            {
                return free;
            }

            if (await ScalarAsync(db, grow, companyId, workflowId, limit, cancellationToken) is { } grown)
            {
                return grown;
            }

            if (!await AnyFreeOrRoomAsync(db, companyId, limit, cancellationToken))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Gives the slot back, if this workflow still holds it.</summary>
    public static Task ReleaseAsync(OrchestratorDbContext db, string companyId, int slot, Guid workflowId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Slots
            .Where(x => x.CompanyId == companyId && x.Slot == slot && x.WorkflowId == workflowId)
            .ExecuteUpdateAsync(x => x.SetProperty(s => s.WorkflowId, (Guid?)null), cancellationToken);
    }

    static async Task<bool> AnyFreeOrRoomAsync(OrchestratorDbContext db, string companyId, int limit, CancellationToken cancellationToken)
    {
        var slots = db.Slots.AsNoTracking().Where(x => x.CompanyId == companyId && x.Slot < limit);
        return await slots.CountAsync(cancellationToken) < limit || await slots.AnyAsync(x => x.WorkflowId == null, cancellationToken);
    }

    static async Task<int?> ScalarAsync(OrchestratorDbContext db, string sql, string companyId, Guid workflowId, int limit, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        Add(command, "@company", companyId);

        // EF Core keeps Guids as upper-case text in SQLite; a claim must write what EF reads back.
        Add(command, "@workflow", db.Database.IsNpgsql() ? workflowId : workflowId.ToString().ToUpperInvariant());
        Add(command, "@limit", limit);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? null : Convert.ToInt32(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
