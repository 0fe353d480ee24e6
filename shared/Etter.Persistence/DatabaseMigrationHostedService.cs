using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Etter.Persistence;

/// <summary>
/// Brings the schema up to date at start. Registered before the bus so no message is handled against
/// an old schema. Retries while the server is still starting, then fails the host with the reason.
/// </summary>
public sealed class DatabaseMigrationHostedService<TContext>(
    IServiceScopeFactory scopes,
    ILogger<DatabaseMigrationHostedService<TContext>> logger) : IHostedService
    where TContext : DbContext
{
    static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                if (db.Database.IsSqlite())
                {
                    // WAL lets status readers work alongside the writer; it is a property of the file, set once.
                    await db.Database.OpenConnectionAsync(cancellationToken);
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                }

                await db.Database.MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (attempt < Backoff.Length && ex is not OperationCanceledException)
            {
                logger.LogWarning("Database for {Context} not ready ({Reason}); retrying in {Delay}.", typeof(TContext).Name, ex.Message, Backoff[attempt]);
                await Task.Delay(Backoff[attempt], cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"Could not prepare the database for {typeof(TContext).Name}: {ex.Message}. Is the server running? (deploy/local/up.sh --infra-only starts it.)", ex);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
