using System.Text.Json;
using Etter.Contracts;
using Etter.Messaging.Outbox;
using Etter.Persistence;
using Etter.RoleSetup.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.Consumers;

/// <summary>
/// role_setup's unit of work: the inbox row of a (workflow, attempt) with the answer given, the relational work and
/// the outbox row of that answer commit together. An answer therefore goes out exactly when its work is stored, and a
/// redelivery repeats the stored answer instead of the work.
/// </summary>
public sealed class RoleSetupInbox(
    RoleGraphDbContext db,
    IOutbox<RoleGraphDbContext> outbox,
    OutboxHandoff<RoleGraphDbContext> handoff,
    TimeProvider time,
    ILogger<RoleSetupInbox> logger)
{
    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    // Compiled once: every SetUpRole delivery looks for an earlier answer first.
    static readonly CompiledQuery<Func<RoleGraphDbContext, Guid, int, CancellationToken, Task<ProcessedCommandEntity?>>> AnswerOf = new(() =>
        EF.CompileAsyncQuery((RoleGraphDbContext db, Guid workflowId, int attempt, CancellationToken cancellationToken) =>
            db.ProcessedCommands.AsNoTracking().SingleOrDefault(x => x.WorkflowId == workflowId && x.Attempt == attempt)));

    public async Task<RoleSetupCompleted?> FindAsync(Guid workflowId, int attempt, CancellationToken cancellationToken)
    {
        var row = await AnswerOf.For(db)(db, workflowId, attempt, cancellationToken);
        return row is null ? null : JsonSerializer.Deserialize<RoleSetupCompleted>(row.ResultJson, JsonOptions);
    }

    /// <summary>Answers a (workflow, attempt) handled before with its stored answer; false, doing nothing, when it is new.</summary>
    public async Task<bool> AnswerAgainAsync(Guid workflowId, int attempt, CancellationToken cancellationToken)
    {
        if (await FindAsync(workflowId, attempt, cancellationToken) is not { } answered)
        {
            return false;
        }

        await PublishAsync(answered.WorkflowId, answered, cancellationToken);
        return true;
    }

    /// <summary>
    /// In one transaction: records <paramref name="completed"/> as the answer to its (workflow, attempt), runs
    /// <paramref name="work"/> (writes through this context) and queues the answer in the outbox. When a concurrent
    /// delivery of the same (workflow, attempt) recorded an answer first, nothing is written and that answer is given.
    /// </summary>
    public async Task CompleteAsync(RoleSetupCompleted completed, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(work);
        RoleSetupCompleted? winner;
        try
        {
            winner = await db.Database.CreateExecutionStrategy().ExecuteAsync<RoleSetupCompleted?>(async () =>
            {
                // A retried attempt starts over: nothing of the failed one was committed.
                handoff.Discard(db);
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

                // The claim is the first write, so a concurrent duplicate waits on it (PostgreSQL's lock on the key,
                // SQLite's single writer) and then conflicts, before it has touched anything.
                db.ProcessedCommands.Add(new ProcessedCommandEntity
                {
                    WorkflowId = completed.WorkflowId,
                    Attempt = completed.Attempt,
                    ResultJson = JsonSerializer.Serialize(completed, JsonOptions),
                    ProcessedAt = time.GetUtcNow(),
                });
                outbox.Publish(completed.WorkflowId, completed);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException)
                {
                    // EF Core rolled the insert back to its savepoint, so the transaction can still read the winner.
                    db.ChangeTracker.Clear();
                    if (await FindAsync(completed.WorkflowId, completed.Attempt, cancellationToken) is not { } stored)
                    {
                        throw;
                    }

                    return stored;
                }

                await work(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return null;
            });
        }
        catch
        {
            // Rolled back: the answer queued with the work must not leave with a later save of this context.
            handoff.Discard(db);
            db.ChangeTracker.Clear();
            throw;
        }

        if (winner is null)
        {
            handoff.Committed(db);
            return;
        }

        logger.LogInformation("role_setup of workflow {WorkflowId} attempt {Attempt} was done by a concurrent delivery; giving its answer", completed.WorkflowId, completed.Attempt);
        await PublishAsync(winner.WorkflowId, winner, cancellationToken);
    }

    /// <summary>Reports a failed attempt; nothing else is written, so a redelivery tries the work again.</summary>
    public Task FailAsync(RoleSetupFailed failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failed);
        return PublishAsync(failed.WorkflowId, failed, cancellationToken);
    }

    async Task PublishAsync<T>(Guid workflowId, T message, CancellationToken cancellationToken)
        where T : class
    {
        handoff.Discard(db);
        db.ChangeTracker.Clear();
        outbox.Publish(workflowId, message);

        // No explicit transaction: the hand-off delivers the row as soon as this save commits it.
        await db.SaveChangesAsync(cancellationToken);
    }
}
