using Etter.Orchestrator.Persistence;
using Etter.Persistence;

namespace Etter.Orchestrator.Submission;

/// <summary>
/// Serialises the submissions of one role (company and role name) on PostgreSQL for the rest of the transaction.
/// Without it, identical pushes arriving together all saw no workflow in flight, all claimed a company slot, and
/// then queued on the unique in-flight index behind each other; a claimer that had just grown the company's slots
/// and a claimer waiting on those new slots could wait on each other until PostgreSQL broke the deadlock, one
/// second at a time. Taken first, the lock makes the second submission see the first one committed, so it is
/// recorded as a duplicate straight away. SQLite has one writer at a time and needs nothing.
/// </summary>
public static class RoleSubmissionLock
{
    /// <summary>The lock statement, for the role key in parameter <c>@role</c>; <see cref="RoleFacts"/> sends it with its reads.</summary>
    internal const string Sql = "SELECT pg_advisory_xact_lock(hashtextextended(@role, 0))";

    public static async Task AcquireAsync(OrchestratorDbContext db, string roleKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.RunsOnPostgres())
        {
            await PlainCommand.ExecuteAsync(db, Sql, new Dictionary<string, object?> { ["role"] = roleKey }, cancellationToken);
        }
    }
}
