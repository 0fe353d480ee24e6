using System.Data;
using Etter.Messaging.Bus;
using Etter.Orchestrator.Persistence;
using Etter.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Deadlines;

/// <summary>
/// Durable timers without a scheduler: every deadline lives on its saga row (<c>next_deadline_at</c>), and
/// this sweeper sends <see cref="OnboardingDeadlineReached"/> for the due ones. On PostgreSQL the scan takes
/// <c>FOR UPDATE SKIP LOCKED</c>, so several orchestrator instances split the due rows; each dispatched row
/// is leased (pushed forward by <see cref="OrchestratorOptions.DeadlineLease"/>) so it is re-sent only if the
/// saga never acted on it. The saga re-checks what is due itself, so a duplicate dispatch is harmless.
/// </summary>
/// <remarks>
/// Chosen over broker-delayed messages because Debian's RabbitMQ lacks the delayed-message plugin, and a
/// deadline kept with the state survives restarts of any process and moves with the database.
/// </remarks>
public sealed class DeadlineSweeper(
    IServiceScopeFactory scopes,
    IBus bus,
    TimeProvider time,
    IOptions<OrchestratorOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<DeadlineSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The bus must be up before anything is sent; the host signals that once every service has started.
        try
        {
            await WaitForStartAsync(lifetime, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SweepOnceAsync(stoppingToken) == options.Value.SweepBatchSize)
                {
                    // A full batch means more may be due; go again without waiting.
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Deadline sweep failed, will retry: {Reason}", ex.Message);
            }

            try
            {
                await Task.Delay(options.Value.SweepInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Dispatches the deadlines due now; returns how many it dispatched.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var now = time.GetUtcNow();
        var batch = options.Value.SweepBatchSize;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            var due = db.RunsOnPostgres()
                ? await db.Database.SqlQueryRaw<DueDeadline>(
                        "SELECT workflow_id AS \"WorkflowId\", next_deadline_at AS \"DueAt\" FROM onboarding_state " +
                        "WHERE next_deadline_at <= {0} ORDER BY next_deadline_at LIMIT {1} FOR UPDATE SKIP LOCKED", now, batch)
                    .ToListAsync(cancellationToken)
                : await db.Workflows.Where(x => x.NextDeadlineAt != null)
                    .Select(x => new DueDeadline(x.CorrelationId, x.NextDeadlineAt!.Value))
                    .ToListAsync(cancellationToken)
                    .ContinueWith(t => t.Result.Where(d => d.DueAt <= now).OrderBy(d => d.DueAt).Take(batch).ToList(), TaskScheduler.Default);
            if (due.Count == 0)
            {
                return 0;
            }

            var saga = await bus.GetSendEndpoint(CommandQueues.OnboardingSaga);
            await Task.WhenAll(due.Select(d => saga.SendBoundedAsync(new OnboardingDeadlineReached { WorkflowId = d.WorkflowId, DueAt = d.DueAt }, cancellationToken)));
            var ids = due.Select(d => d.WorkflowId).ToList();
            var leasedUntil = now + options.Value.DeadlineLease;
            var dispatched = db.Workflows.Where(x => ids.Contains(x.CorrelationId));
            if (db.RunsOnPostgres())
            {
                // Leave alone a row whose saga already set a later deadline since our scan.
                dispatched = dispatched.Where(x => x.NextDeadlineAt <= now);
            }

            await dispatched.ExecuteUpdateAsync(x => x.SetProperty(w => w.NextDeadlineAt, leasedUntil), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return due.Count;
        });
    }

    internal static async Task WaitForStartAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        await started.Task;
    }

    /// <summary>One due row.</summary>
    public sealed record DueDeadline(Guid WorkflowId, DateTimeOffset DueAt);
}
