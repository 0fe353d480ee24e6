using System.Data;
using System.Diagnostics;
using System.Text.Json;
using Etter.BuildingBlocks.Messaging;
using Etter.BuildingBlocks.Observability;
using Etter.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Etter.BuildingBlocks.Persistence.Outbox;

/// <summary>
/// Delivers outbox rows to the broker, at least once, in batches: claim a batch, send it, delete it, commit.
/// On PostgreSQL the claim is <c>FOR UPDATE SKIP LOCKED</c>, so several instances share the work without
/// sending a row twice; a crash after sending but before the delete only causes a redelivery, which the
/// receivers absorb (attempt numbers, idempotent consumers).
/// </summary>
public sealed class OutboxRelay<TDbContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxRelay<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    static readonly System.Reflection.Assembly ContractsAssembly = typeof(OnboardRoleRequested).Assembly;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Publishing before the bus has started loses messages; the host signals once every service is up.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
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

                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
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
        var postgres = db.Database.IsNpgsql();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            var batch = postgres
                ? await db.Set<OutboxMessage>()
                    .FromSqlRaw("SELECT * FROM outbox_message ORDER BY sequence LIMIT {0} FOR UPDATE SKIP LOCKED", options.Value.BatchSize)
                    .AsNoTracking()
                    .ToListAsync(cancellationToken)
                : await db.Set<OutboxMessage>().OrderBy(x => x.Sequence).Take(options.Value.BatchSize).AsNoTracking().ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return 0;
            }

            await Task.WhenAll(batch.Select(message => DeliverAsync(message, cancellationToken)));
            var sequences = batch.Select(x => x.Sequence).ToList();
            await db.Set<OutboxMessage>().Where(x => sequences.Contains(x.Sequence)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return batch.Count;
        });
    }

    async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var type = ContractsAssembly.GetType(message.MessageType)
            ?? throw new InvalidOperationException($"Outbox row {message.Sequence} has unknown message type {message.MessageType}.");
        var payload = JsonSerializer.Deserialize(message.Body, type, EfOutbox<TDbContext>.JsonOptions)!;

        // Continue the trace of the transaction that wrote the message; MassTransit carries it on from here.
        ActivityContext.TryParse(message.TraceParent, null, out var parent);
        using var activity = EtterTelemetry.Source.StartActivity($"outbox deliver {type.Name}", ActivityKind.Producer, parent);
        activity?.SetTag("etter.workflow_id", message.WorkflowId);
        if (message.Destination is null)
        {
            await bus.PublishBoundedAsync(payload, type, cancellationToken);
        }
        else
        {
            var endpoint = await bus.GetSendEndpoint(new Uri(message.Destination));
            await endpoint.SendBoundedAsync(payload, type, cancellationToken);
        }
    }
}
