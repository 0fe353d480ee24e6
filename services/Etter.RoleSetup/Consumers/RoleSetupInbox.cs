using System.Text.Json;
using Etter.Contracts;
using Etter.Messaging.Outbox;
using Etter.Persistence.PlainWrites;
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

    // Every SetUpRole delivery looks for an earlier answer first, and nearly always finds none. Read by its key as a plain
    // row: EF Core's compiled query for it (its query pipeline and materializer on every call) was 1 % of embedded CPU.
    public async Task<RoleSetupCompleted?> FindAsync(Guid workflowId, int attempt, CancellationToken cancellationToken)
    {
        var rows = PlainRows<ProcessedCommandEntity>.For(db)
            ?? throw new InvalidOperationException("The role_setup inbox row is no longer a shape PlainRows reads; look it up through EF Core.");
        var row = await rows.FindAsync(db, [workflowId, attempt], cancellationToken);
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
        DbUpdateException? lostRace = null;
        var savepoints = db.Database.AutoSavepointsEnabled;
        try
        {
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                // A retried attempt starts over: nothing of the failed one was committed.
                handoff.Discard(db);
                db.ChangeTracker.Clear();
                lostRace = null;
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

                // No save here goes on after a failure (a lost claim leaves the transaction), so none needs EF Core's
                // savepoint, which cost a statement each and on PostgreSQL a round trip to release.
                db.Database.AutoSavepointsEnabled = false;

                // The claim is the first write, so a concurrent duplicate waits on it (PostgreSQL's lock on the key,
                // SQLite's single writer) and then conflicts, before it has touched anything. Both rows are only ever
                // inserted, so they stay out of the change tracker; queued rows are written in the order they were added.
                db.AddUntracked(new ProcessedCommandEntity
                {
                    WorkflowId = completed.WorkflowId,
                    Attempt = completed.Attempt,
                    ResultJson = JsonSerializer.Serialize(completed, JsonOptions),
                    ProcessedAt = time.GetUtcNow(),
                });
                outbox.Publish(completed.WorkflowId, completed);

                // On PostgreSQL the claim, the answer, the work's statements and the COMMIT go in one batch; the claim
                // still comes first in it, so a duplicate conflicts there before the rest runs.
                var holding = db.HoldWrites(toCommit: true);
                try
                {
                    await db.WriteChangesAsync(acceptChanges: !holding, cancellationToken);
                    if (holding)
                    {
                        await work(cancellationToken);
                        if (await db.SendHeldWritesAndCommitAsync(cancellationToken))
                        {
                            db.ChangeTracker.AcceptAllChanges();
                            return;
                        }
                    }
                }
                catch (DbUpdateException ex)
                {
                    // Rolled back as the transaction ends; the winner is read once it has.
                    lostRace = ex;
                    return;
                }

                if (!holding)
                {
                    await work(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            });
        }
        catch
        {
            // Rolled back: the answer queued with the work must not leave with a later save of this context.
            handoff.Discard(db);
            db.ChangeTracker.Clear();
            throw;
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }

        RoleSetupCompleted? winner = null;
        if (lostRace is not null)
        {
            // The conflicting claim was committed before ours failed (PostgreSQL makes the loser wait for it; SQLite has
            // one writer), so its answer is there to read.
            handoff.Discard(db);
            db.ChangeTracker.Clear();
            winner = await FindAsync(completed.WorkflowId, completed.Attempt, cancellationToken);
            if (winner is null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(lostRace);
            }
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
