using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga.Decisions;
using Etter.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Deadlines;

/// <summary>
/// Embedded mode only, once at start: the in-memory bus loses every message in flight when the process dies (a step's
/// command, its worker's result), and the workflows waiting on one would sit until their step timed out, minutes
/// later. Their attempt in flight comes due now instead (<see cref="DeadlineRules.AfterLostMessages"/>), so the
/// deadline sweeper hands them to the saga, which records the attempt as lost and retries it. Runs after the
/// migration and before the bus starts, so no message of this run is mistaken for a lost one.
/// </summary>
public sealed class LostMessagesRecovery(IServiceScopeFactory scopes, TimeProvider time, ILogger<LostMessagesRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var now = time.GetUtcNow();
        var processing = await db.Workflows
            .Where(x => x.CurrentState == WorkflowStates.Processing)
            .ToListAsync(cancellationToken);
        var recovered = 0;
        foreach (var workflow in processing)
        {
            if (DeadlineRules.AfterLostMessages(workflow, now) is { } due)
            {
                workflow.Deadlines = due;
                workflow.NextDeadlineAt = now;
                recovered++;
            }
        }

        if (recovered > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogWarning(
                "{Count} workflows had a step in flight when the process stopped; its messages were in memory, so those attempts count as lost and are retried now.",
                recovered);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
