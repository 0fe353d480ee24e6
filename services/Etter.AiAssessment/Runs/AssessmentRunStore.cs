using System.Text.Json;
using Etter.AiAssessment.Persistence;
using Etter.Contracts;
using Etter.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Etter.AiAssessment.Runs;

/// <summary>
/// The run log, which is also the inbox: one row per (workflow, attempt), holding how it ended. Every outcome is
/// stored in the same transaction as its outbox row, so it is reported exactly when it is recorded, and a
/// redelivery is answered from the row.
/// </summary>
public sealed class AssessmentRunStore(
    AssessmentDbContext db,
    IOutbox<AssessmentDbContext> outbox,
    OutboxHandoff<AssessmentDbContext> handoff,
    TimeProvider time)
{
    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    static readonly string Worker = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Claims (workflow, attempt) for a long run on this worker. Returns null when the claim succeeded; otherwise
    /// the run that already exists (finished, with its outcome, or still running elsewhere).
    /// </summary>
    public async Task<AssessmentRunEntity?> TryClaimAsync(AssessRole command, string engine, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        Reset();

        // The claim is only ever inserted here (finishing updates it by key), so it stays out of the change tracker.
        db.AddUntracked(new AssessmentRunEntity
        {
            WorkflowId = command.WorkflowId,
            Attempt = command.Attempt,
            Engine = engine,
            Worker = Worker,
            StartedAt = startedAt,
            HeartbeatAt = startedAt,
        });
        return await SaveOrFindExistingAsync(command, cancellationToken);
    }

    /// <summary>
    /// Records a run that already finished (a quick engine's) and queues its outcome, in one transaction. Returns
    /// null when recorded; otherwise the run that already exists, and nothing is written.
    /// </summary>
    public async Task<AssessmentRunEntity?> TryRecordFinishedAsync(AssessRole command, string engine, DateTimeOffset startedAt, object outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (_, _, status) = Describe(outcome);
        var finishedAt = time.GetUtcNow();
        Reset();
        db.AddUntracked(new AssessmentRunEntity
        {
            WorkflowId = command.WorkflowId,
            Attempt = command.Attempt,
            Status = status,
            Engine = engine,
            OutcomeJson = JsonSerializer.Serialize(outcome, outcome.GetType(), JsonOptions),
            Worker = Worker,
            StartedAt = startedAt,
            HeartbeatAt = finishedAt,
            FinishedAt = finishedAt,
        });
        Publish(outcome);

        // One save is one transaction; with no explicit one, the hand-off delivers the outcome right after it commits.
        return await SaveOrFindExistingAsync(command, cancellationToken);
    }

    /// <summary>Stores how a claimed run ended and queues its outcome, in one transaction.</summary>
    public async Task FinishAsync(object outcome, CancellationToken cancellationToken)
    {
        var (workflowId, attempt, status) = Describe(outcome);
        Reset();

        // Updated by key without reading it first; a run that is gone fails the save with a concurrency exception.
        var run = db.Runs.Attach(new AssessmentRunEntity { WorkflowId = workflowId, Attempt = attempt }).Entity;
        run.Status = status;
        run.OutcomeJson = JsonSerializer.Serialize(outcome, outcome.GetType(), JsonOptions);
        run.FinishedAt = time.GetUtcNow();
        Publish(outcome);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Reports the stored outcome of a finished run again; false when the run is still going.</summary>
    public async Task<bool> AnswerAgainAsync(AssessmentRunEntity run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status == AssessmentRunStatus.Running || Outcome(run) is not { } outcome)
        {
            return false;
        }

        await PublishAsync(outcome, cancellationToken);
        return true;
    }

    /// <summary>Reports an outcome that is not recorded in the run log (a command no engine can take).</summary>
    public Task PublishAsync(object outcome, CancellationToken cancellationToken)
    {
        Reset();
        Publish(outcome);
        return db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Gives up a claim whose run never started (e.g. the service stopped while the command waited for a slot),
    /// so that the redelivered command can claim it again instead of finding it "running".
    /// </summary>
    public async Task ReleaseAsync(Guid workflowId, int attempt, CancellationToken cancellationToken) =>
        await db.Runs.Where(x => x.WorkflowId == workflowId && x.Attempt == attempt && x.Worker == Worker && x.Status == AssessmentRunStatus.Running)
            .ExecuteDeleteAsync(cancellationToken);

    public async Task HeartbeatAsync(Guid workflowId, int attempt, CancellationToken cancellationToken) =>
        await db.Runs.Where(x => x.WorkflowId == workflowId && x.Attempt == attempt)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.HeartbeatAt, time.GetUtcNow()), cancellationToken);

    /// <summary>The stored outcome of a finished run, as the message that was reported.</summary>
    public static object? Outcome(AssessmentRunEntity run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.OutcomeJson is null ? null
            : run.Status == AssessmentRunStatus.Completed ? JsonSerializer.Deserialize<AiAssessmentCompleted>(run.OutcomeJson, JsonOptions)
            : JsonSerializer.Deserialize<AiAssessmentFailed>(run.OutcomeJson, JsonOptions);
    }

    static (Guid WorkflowId, int Attempt, string Status) Describe(object outcome) => outcome switch
    {
        AiAssessmentCompleted c => (c.WorkflowId, c.Attempt, AssessmentRunStatus.Completed),
        AiAssessmentFailed f => (f.WorkflowId, f.Attempt, AssessmentRunStatus.Failed),
        _ => throw NotAnOutcome(outcome),
    };

    static ArgumentException NotAnOutcome(object outcome) =>
        new($"Not an assessment outcome: {outcome?.GetType().Name ?? "null"}", nameof(outcome));

    void Publish(object outcome)
    {
        switch (outcome)
        {
            case AiAssessmentCompleted completed:
                outbox.Publish(completed.WorkflowId, completed);
                break;
            case AiAssessmentFailed failed:
                outbox.Publish(failed.WorkflowId, failed);
                break;
            default:
                throw NotAnOutcome(outcome);
        }
    }

    /// <summary>Starts a unit of work afresh: nothing tracked or queued by an earlier, failed one may ride along.</summary>
    void Reset()
    {
        handoff.Discard(db);
        db.ChangeTracker.Clear();
    }

    async Task<AssessmentRunEntity?> SaveOrFindExistingAsync(AssessRole command, CancellationToken cancellationToken)
    {
        try
        {
            // Every delivery of the hot path saves here: its own transaction, with plain statements (see
            // EtterDbContext.WriteChangesAsync), and the outbox row handed off once committed. On PostgreSQL the run
            // record, its answer and the COMMIT go in one batch.
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var holding = db.HoldWrites(toCommit: true);
                await db.WriteChangesAsync(acceptChanges: false, cancellationToken);
                if (!holding || !await db.SendHeldWritesAndCommitAsync(cancellationToken))
                {
                    await transaction.CommitAsync(cancellationToken);
                }
            });

            db.ChangeTracker.AcceptAllChanges();
            handoff.Committed(db);
            return null;
        }
        catch (DbUpdateException)
        {
            // The (workflow, attempt) was there already; the failed save's outbox row is discarded with it.
            Reset();
            if (await db.Runs.AsNoTracking().SingleOrDefaultAsync(x => x.WorkflowId == command.WorkflowId && x.Attempt == command.Attempt, cancellationToken) is not { } existing)
            {
                throw;
            }

            return existing;
        }
    }
}
