using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Persistence;

/// <summary>
/// Gives rows written before the <c>status_json</c> column existed their status document, once, at start (after the
/// migration), so readers can show every workflow. A no-op query on an up-to-date database.
/// </summary>
public sealed class StatusDocumentBackfill(IServiceScopeFactory scopes, ILogger<StatusDocumentBackfill> logger) : IHostedService
{
    const int BatchSize = 500;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            var rows = await db.Workflows
                .Where(x => EF.Property<string?>(x, OrchestratorDbContext.StatusJsonProperty) == null)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }

            foreach (var row in rows)
            {
                // Marked modified so the save writes the document; the version is left alone, as nothing else changed.
                db.Entry(row).Property(OrchestratorDbContext.StatusJsonProperty).IsModified = true;
            }

            await db.SaveChangesAsync(cancellationToken);
            total += rows.Count;
        }

        if (total > 0)
        {
            logger.LogInformation("Stored the status document of {Count} workflow(s) written by an earlier version", total);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
