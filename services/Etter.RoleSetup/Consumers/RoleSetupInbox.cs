using System.Text.Json;
using Etter.Contracts;
using Etter.RoleSetup.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.Consumers;

/// <summary>Remembers the answer to each (workflow, attempt) of role_setup, so a redelivery repeats the answer, not the work.</summary>
public sealed class RoleSetupInbox(RoleGraphDbContext db, TimeProvider time)
{
    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public async Task<RoleSetupCompleted?> FindAsync(Guid workflowId, int attempt, CancellationToken cancellationToken)
    {
        var row = await db.ProcessedCommands.AsNoTracking()
            .SingleOrDefaultAsync(x => x.WorkflowId == workflowId && x.Attempt == attempt, cancellationToken);
        return row is null ? null : JsonSerializer.Deserialize<RoleSetupCompleted>(row.ResultJson, JsonOptions);
    }

    /// <summary>Stores the answer; if a concurrent delivery stored one first, returns that one so both answer alike.</summary>
    public async Task<RoleSetupCompleted> RecordAsync(RoleSetupCompleted completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        db.ChangeTracker.Clear();
        db.ProcessedCommands.Add(new ProcessedCommandEntity
        {
            WorkflowId = completed.WorkflowId,
            Attempt = completed.Attempt,
            ResultJson = JsonSerializer.Serialize(completed, JsonOptions),
            ProcessedAt = time.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return completed;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return await FindAsync(completed.WorkflowId, completed.Attempt, cancellationToken) ?? completed;
        }
    }
}
