using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Etter.Messaging.Outbox;

/// <summary>
/// The hot path of the outbox: rows handed off after their commit are delivered at once, in lanes by workflow so one
/// workflow's messages keep their order, and deleted afterwards in batches. A row whose delivery fails is left in the
/// table for the <see cref="OutboxRelay{TDbContext}"/>, which retries with back-off; nothing is lost either way.
/// </summary>
/// <remarks>
/// Replies to a request (rows with a request id) have lanes of their own. A reply belongs to no workflow's sequence,
/// and in its workflow's lane it waited for every row committed before it to be sent and confirmed: a push's answer
/// queued behind the role_setup command and the status write, and the API's caller waited for all three. Rows for a
/// destination that orders what it receives by itself (the status store) have lanes of their own too, for the same
/// reason (<see cref="IOutboxDestination.OrdersItself"/>).
/// </remarks>
public sealed class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopes,
    OutboxDelivery delivery,
    IOptions<OutboxOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    const int Lanes = 16;

    /// <summary>
    /// <see cref="Lanes"/> lanes for workflows' ordered rows, as many for replies, and as many for destinations that order
    /// what they receive by themselves.
    /// </summary>
    readonly Channel<(OutboxMessage Row, object Message, bool Stored)>[] _lanes =
        [.. Enumerable.Range(0, 3 * Lanes).Select(_ => Channel.CreateUnbounded<(OutboxMessage, object, bool)>(new UnboundedChannelOptions { SingleReader = true }))];

    /// <summary>Rows this instance is delivering or has delivered but not yet deleted; the relay leaves them alone.</summary>
    readonly ConcurrentDictionary<long, byte> _owned = new();

    readonly ConcurrentQueue<long> _delivered = new();
    readonly SemaphoreSlim _deliveredSignal = new(0);

    /// <param name="stored">
    /// False for a message that needs no row (<see cref="OutboxDelivery.NeedsNoRow"/>): nothing to delete or to leave for
    /// the relay.
    /// </param>
    internal void Enqueue(OutboxMessage row, object message, bool stored = true)
    {
        if (stored)
        {
            _owned[row.Sequence] = 0;
        }

        var group = row.RequestId is not null ? 1 : delivery.OrdersItself(row.Destination) ? 2 : 0;
        var lane = (row.WorkflowId.GetHashCode() & int.MaxValue) % Lanes + group * Lanes;
        if (!_lanes[lane].Writer.TryWrite((row, message, stored)) && stored)
        {
            // Only after shutdown; the relay delivers the row when the service runs again.
            _owned.TryRemove(row.Sequence, out _);
        }
    }

    /// <summary>Whether messages to <paramref name="destination"/> need no row (see <see cref="OutboxDelivery.NeedsNoRow"/>).</summary>
    internal bool NeedsNoRow(Uri destination, bool isResponse) => delivery.NeedsNoRow(destination, isResponse);

    /// <summary>Sequences the relay must skip: this instance has them in hand.</summary>
    public long[] OwnedRows() => [.. _owned.Keys];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HostStart.WaitAsync(lifetime, stoppingToken))
        {
            return;
        }

        await Task.WhenAll(_lanes.Select(lane => DeliverLaneAsync(lane.Reader, stoppingToken)).Append(DeleteDeliveredAsync(stoppingToken)));
    }

    async Task DeliverLaneAsync(ChannelReader<(OutboxMessage Row, object Message, bool Stored)> lane, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (row, message, stored) in lane.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await delivery.DeliverAsync(row, message, stoppingToken);
                    if (!stored)
                    {
                        continue;
                    }

                    _delivered.Enqueue(row.Sequence);
                    if (_delivered.Count >= options.Value.DeleteBatchSize)
                    {
                        _deliveredSignal.Release();
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested && !stored)
                {
                    // Nothing to retry from: a destination in this process whose own write failed, or an answer whose requester
                    // will take the lack of it as accepted unconfirmed.
                    logger.LogWarning("Could not deliver a message to {Destination}: {Reason}", row.Destination, ex.Message);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The broker refused or timed out: the relay retries this row with back-off, in order.
                    _owned.TryRemove(row.Sequence, out _);
                    logger.LogDebug("Outbox row {Sequence} left for the relay: {Reason}", row.Sequence, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task DeleteDeliveredAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _deliveredSignal.WaitAsync(options.Value.DeleteInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await DeleteBatchesAsync(CancellationToken.None);
        }

        // Delivered rows must not be delivered again after a clean stop.
        await DeleteBatchesAsync(CancellationToken.None);
    }

    async Task DeleteBatchesAsync(CancellationToken cancellationToken)
    {
        while (!_delivered.IsEmpty)
        {
            var batch = new List<long>(options.Value.DeleteBatchSize);
            while (batch.Count < options.Value.DeleteBatchSize && _delivered.TryDequeue(out var sequence))
            {
                batch.Add(sequence);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TDbContext>();

                // A transaction of its own, although one statement would commit by itself: on SQLite only transactions
                // queue at this process's write gate. A bare DELETE collided with the queued writers and both sides fell
                // back on SQLite's busy timeout, the writer sleeping while it held the gate. It runs inside the execution
                // strategy because PostgreSQL's retrying strategy refuses a transaction begun outside it.
                await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
                {
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    // The sequences go into the SQL as constants, not as one array parameter. A parameterized DELETE is
                    // prepared, and PostgreSQL kept the plan it had made while the table was nearly empty: a sequential
                    // scan. Deleted rows stay as dead versions until vacuum, so under load that scan read the whole
                    // table for every batch (2,800 pages after 3,000 workflows, about five times the cost of a delete
                    // through the key). As new text each time, the statement is planned for the table as it is then.
                    await db.Set<OutboxMessage>().Where(x => EF.Constant(batch).Contains(x.Sequence)).ExecuteDeleteAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                });
                foreach (var sequence in batch)
                {
                    _owned.TryRemove(sequence, out _);
                }
            }
            catch (Exception ex)
            {
                // Left in the table, the rows would be delivered again by the relay (receivers absorb repeats).
                foreach (var sequence in batch)
                {
                    _owned.TryRemove(sequence, out _);
                }

                logger.LogWarning("Could not delete {Count} delivered outbox rows; the relay may deliver them again: {Reason}", batch.Count, ex.Message);
                return;
            }
        }
    }

    public override void Dispose()
    {
        _deliveredSignal.Dispose();
        base.Dispose();
    }
}
