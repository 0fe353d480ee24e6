using System.Text.Json;
using Etter.AiAssessment.Persistence;
using Etter.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Etter.AiAssessment.Runs;

/// <summary>The run log: claims an attempt exactly once, and remembers how it ended.</summary>
public sealed class AssessmentRunStore(AssessmentDbContext db, TimeProvider time)
{
    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    static readonly string Worker = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Claims (workflow, attempt) for this worker. Returns null when the claim succeeded; otherwise the run
    /// that already exists (finished, with its outcome, or still running elsewhere).
    /// </summary>
    public async Task<AssessmentRunEntity?> TryClaimAsync(AssessRole command, string engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        db.ChangeTracker.Clear();
        db.Runs.Add(new AssessmentRunEntity
        {
            WorkflowId = command.WorkflowId,
            Attempt = command.Attempt,
            Engine = engine,
            Worker = Worker,
            StartedAt = now,
            HeartbeatAt = now,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return await db.Runs.AsNoTracking().SingleAsync(x => x.WorkflowId == command.WorkflowId && x.Attempt == command.Attempt, cancellationToken);
        }
    }

    /// <summary>
    /// Gives up a claim whose run never started (e.g. the broker connection dropped before the start was
    /// reported), so that the redelivered command can claim it again instead of finding it "running".
    /// </summary>
    public async Task ReleaseAsync(Guid workflowId, int attempt, CancellationToken cancellationToken) =>
        await db.Runs.Where(x => x.WorkflowId == workflowId && x.Attempt == attempt && x.Worker == Worker && x.Status == AssessmentRunStatus.Running)
            .ExecuteDeleteAsync(cancellationToken);

    public async Task HeartbeatAsync(Guid workflowId, int attempt, CancellationToken cancellationToken) =>
        await db.Runs.Where(x => x.WorkflowId == workflowId && x.Attempt == attempt)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.HeartbeatAt, time.GetUtcNow()), cancellationToken);

    public async Task FinishAsync(object outcome, CancellationToken cancellationToken)
    {
        var (workflowId, attempt, status) = outcome switch
        {
            AiAssessmentCompleted c => (c.WorkflowId, c.Attempt, AssessmentRunStatus.Completed),
            AiAssessmentFailed f => (f.WorkflowId, f.Attempt, AssessmentRunStatus.Failed),
            _ => throw new ArgumentException($"Not an assessment outcome: {outcome.GetType().Name}", nameof(outcome)),
        };
        var json = JsonSerializer.Serialize(outcome, outcome.GetType(), JsonOptions);
        var finished = time.GetUtcNow();
        await db.Runs.Where(x => x.WorkflowId == workflowId && x.Attempt == attempt)
            .ExecuteUpdateAsync(
                x => x.SetProperty(r => r.Status, status).SetProperty(r => r.OutcomeJson, json).SetProperty(r => r.FinishedAt, finished),
                cancellationToken);
    }

    /// <summary>The stored outcome of a finished run, as the message that was published.</summary>
    public static object? Outcome(AssessmentRunEntity run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.OutcomeJson is null ? null
            : run.Status == AssessmentRunStatus.Completed ? JsonSerializer.Deserialize<AiAssessmentCompleted>(run.OutcomeJson, JsonOptions)
            : JsonSerializer.Deserialize<AiAssessmentFailed>(run.OutcomeJson, JsonOptions);
    }
}
