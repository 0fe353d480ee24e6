using Etter.Orchestrator.Persistence;
using Etter.Persistence;
using Etter.ReadModel;

namespace Etter.Orchestrator.Submission;

/// <summary>
/// What a push needs to know before it is decided, read in one round trip inside the saga's transaction: on PostgreSQL
/// the role's submission lock first (<see cref="RoleSubmissionLock"/>), then the role's workflow in flight and its newest
/// finished one, then whether the company has workflows waiting for a slot.
/// </summary>
/// <remarks>
/// Every push runs these reads while it holds the role's lock (and on SQLite the file). As the lock statement and two EF
/// Core compiled queries they were three round trips on PostgreSQL, each with EF Core's query pipeline around it.
/// </remarks>
internal static class RoleFacts
{
    /// <summary>
    /// At most two rows: the role's workflow in flight first (the unique in-flight index allows one), then its newest
    /// finished one. Without a workflow in flight, the two newest finished ones, of which only the first counts.
    /// </summary>
    static readonly string Reads = $"""
        SELECT workflow_id, current_state, input_hash, role_id,
               CASE WHEN in_flight_key = @role AND workflow_id <> @self THEN 1 ELSE 0 END AS in_flight
        FROM onboarding_state
        WHERE role_key = @role AND ((in_flight_key = @role AND workflow_id <> @self) OR current_state IN ({string.Join(", ", WorkflowStates.Finished.Select(s => $"'{s}'"))}))
        ORDER BY in_flight DESC, queued_at DESC
        LIMIT 2;
        SELECT CASE WHEN EXISTS ({CompanyWaiting}) THEN 1 ELSE 0 END;
        """;

    /// <summary>The company's workflows waiting for a slot (<c>@company</c>); the partial admission index holds only those.</summary>
    internal const string CompanyWaiting = $"SELECT 1 FROM onboarding_state WHERE awaiting_admission AND company_id = @company AND current_state = '{WorkflowStates.Queued}'";

    public static async Task<(ExistingWorkflow? InFlight, ExistingWorkflow? LatestFinished, bool CompanyHasWaiting)> ReadAsync(
        OrchestratorDbContext db, string roleKey, Guid self, string companyId, CancellationToken cancellationToken)
    {
        var locks = db.RunsOnPostgres();
        var parameters = new Dictionary<string, object?> { ["role"] = roleKey, ["self"] = PlainCommand.Guid(db, self), ["company"] = companyId };
        await using var result = await PlainCommand.ReadAsync(db, locks ? RoleSubmissionLock.Sql + ";\n" + Reads : Reads, parameters, cancellationToken);
        var reader = result.DbDataReader;
        if (locks)
        {
            await reader.NextResultAsync(cancellationToken);
        }

        ExistingWorkflow? inFlight = null, latestFinished = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var workflow = new ExistingWorkflow(
                reader.GetGuid(0),
                reader.GetString(1),
                await reader.IsDBNullAsync(2, cancellationToken) ? null : reader.GetString(2),
                await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3));
            if (Convert.ToInt32(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture) == 1)
            {
                inFlight = workflow;
            }
            else
            {
                latestFinished ??= workflow;
            }
        }

        await reader.NextResultAsync(cancellationToken);
        var companyHasWaiting = await reader.ReadAsync(cancellationToken) && Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) == 1;
        return (inFlight, latestFinished, companyHasWaiting);
    }
}
