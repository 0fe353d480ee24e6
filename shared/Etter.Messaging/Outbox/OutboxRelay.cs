using System.Data;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Etter.Messaging.Outbox;

/// <summary>
/// The outbox's safety net: delivers the rows the in-process hand-off did not (a crash between commit and delivery,
/// a broker that refused, another instance that died), at least once, in batches: claim rows older than
/// <see cref="OutboxOptions.HandoffGrace"/>, send them, delete what went out, commit. On PostgreSQL the claim is
/// <c>FOR UPDATE SKIP LOCKED</c>, so several instances share the work without sending a row twice; a crash after
/// sending but before the delete only causes a redelivery, which the receivers absorb (attempt numbers, idempotent
/// consumers, versioned status).
/// </summary>
public sealed class OutboxRelay<TDbContext>(
    IServiceScopeFactory scopes,
    OutboxDelivery delivery,
    OutboxDispatcher<TDbContext> dispatcher,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxRelay<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    /// <summary>How long a refused workflow+destination is left out of later passes before it is tried again.</summary>
    static readonly TimeSpan HoldBack = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Rows left out of passes for a while because their workflow+destination was refused. Without this, rows for
    /// a destination that stays down would fill every batch (they sort first) and starve everything else.
    /// </summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<long, DateTimeOffset> _heldRows = new();

    readonly System.Collections.Concurrent.ConcurrentDictionary<(Guid WorkflowId, string Target), DateTimeOffset> _heldGroups = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HostStart.WaitAsync(lifetime, stoppingToken))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int delivered;
                do
                {
                    delivered = await DeliverBatchAsync(stoppingToken);
                }
                while (delivered == options.Value.BatchSize && !stoppingToken.IsCancellationRequested);

                await Task.Delay(options.Value.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Broker or database briefly away: rows stay in the outbox and go out on a later pass.
                logger.LogWarning("Outbox delivery failed, will retry: {Reason}", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Delivers one batch; returns how many rows it delivered.</summary>
    public async Task<int> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var postgres = db.RunsOnPostgres();
        var table = db.Model.FindEntityType(typeof(OutboxMessage))!.GetTableName();
        var strategy = db.Database.CreateExecutionStrategy();
        var (total, delivered, error) = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            long[] skip = [.. ActiveHeldRows(), .. dispatcher.OwnedRows()];
            var cutoff = time.GetUtcNow() - options.Value.HandoffGrace;
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
#pragma warning disable EF1002 // The table name comes from our own EF model, never from input; the values are parameters.
            var batch = postgres
                ? await db.Set<OutboxMessage>()
                    .FromSqlRaw($"SELECT * FROM {table} WHERE created_at < {{2}} AND NOT (sequence = ANY({{1}})) ORDER BY sequence LIMIT {{0}} FOR UPDATE SKIP LOCKED", options.Value.BatchSize, skip, cutoff)
                    .AsNoTracking()
                    .ToListAsync(cancellationToken)
                : (await db.Set<OutboxMessage>().Where(x => !skip.Contains(x.Sequence)).OrderBy(x => x.Sequence).Take(options.Value.BatchSize).AsNoTracking().ToListAsync(cancellationToken))

                    // SQLite files may store times as text, which SQL cannot compare; one process writes them anyway.
                    .Where(x => x.CreatedAt < cutoff).ToList();
#pragma warning restore EF1002
            if (batch.Count == 0)
            {
                return (0, 0, (Exception?)null);
            }

            var outcome = await DeliverIsolatedAsync(batch, cancellationToken);
            if (outcome.Delivered.Count > 0)
            {
                await db.Set<OutboxMessage>().Where(x => outcome.Delivered.Contains(x.Sequence)).ExecuteDeleteAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return (batch.Count, outcome.Delivered.Count, outcome.FirstError);
        });

        if (error is not null)
        {
            if (delivered == 0)
            {
                // Nothing went out: let the loop back off instead of spinning on the broker.
                throw new OutboxDeliveryException($"None of {total} outbox messages could be delivered: {error.Message}", error);
            }

            logger.LogWarning("Outbox delivered {Delivered} of {Total} messages; the rest stay for a later pass: {Reason}", delivered, total, error.Message);
        }

        return delivered;
    }

    /// <summary>
    /// Sends a batch so that one destination the broker refuses (say a queue without a leader during a node
    /// failover) holds back only its own messages, not the whole batch: messages are grouped by workflow and
    /// destination, each group goes out in order and stops at its first failure, so a later message never
    /// overtakes an earlier one on the same queue. The groups go out side by side.
    /// </summary>
    async Task<(List<long> Delivered, Exception? FirstError)> DeliverIsolatedAsync(List<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var delivered = new System.Collections.Concurrent.ConcurrentBag<long>();
        Exception? firstError = null;
        var now = DateTimeOffset.UtcNow;
        var groups = batch.GroupBy(m => (m.WorkflowId, Target: m.Destination ?? m.MessageType));
        await Task.WhenAll(groups.Select(async group =>
        {
            var ordered = group.OrderBy(m => m.Sequence).ToList();
            if (_heldGroups.TryGetValue(group.Key, out var heldUntil) && heldUntil > now)
            {
                // An earlier message of this workflow to this destination is waiting: keep the order.
                Hold(ordered, heldUntil);
                return;
            }

            for (var i = 0; i < ordered.Count; i++)
            {
                try
                {
                    await DeliverAsync(ordered[i], cancellationToken);
                    delivered.Add(ordered[i].Sequence);
                    _heldRows.TryRemove(ordered[i].Sequence, out _);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.CompareExchange(ref firstError, ex, null);
                    var until = DateTimeOffset.UtcNow + HoldBack;
                    _heldGroups[group.Key] = until;
                    Hold(ordered.Skip(i), until);
                    return;
                }
            }

            _heldGroups.TryRemove(group.Key, out _);
        }));
        return ([.. delivered], firstError);
    }

    void Hold(IEnumerable<OutboxMessage> messages, DateTimeOffset until)
    {
        foreach (var message in messages)
        {
            _heldRows[message.Sequence] = until;
        }
    }

    /// <summary>Sequences still held back; expired holds are dropped so those rows are tried again.</summary>
    long[] ActiveHeldRows()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (sequence, until) in _heldRows)
        {
            if (until <= now)
            {
                _heldRows.TryRemove(sequence, out _);
            }
        }

        foreach (var (group, until) in _heldGroups)
        {
            if (until <= now)
            {
                _heldGroups.TryRemove(group, out _);
            }
        }

        return [.. _heldRows.Keys];
    }

    Task DeliverAsync(OutboxMessage row, CancellationToken cancellationToken) =>
        delivery.DeliverAsync(row, OutboxDelivery.Payload(row), cancellationToken);
}
