using System.Data;
using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Contracts;
using Etter.Orchestrator.Deadlines;
using Etter.Orchestrator.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Admission;

/// <summary>
/// Per-company backpressure: at most <see cref="OrchestratorOptions.MaxActivePerCompany"/> workflows of a
/// company are admitted (waiting for or running a step) at once; the rest stay Queued, oldest first, and
/// are admitted as others finish. Each company has its own slots, so a 2,500-role batch from one client
/// never holds back another client's single push. One admitter runs at a time across orchestrator
/// instances (a PostgreSQL advisory lock); an admission whose message was lost is sent again after a lease.
/// </summary>
public sealed class AdmissionController(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    TimeProvider time,
    IOptions<OrchestratorOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<AdmissionController> logger) : BackgroundService
{
    const long AdvisoryLockKey = 0x45545445525F4144; // "ETTER_AD"
    static readonly string[] Active = ["Queued", "Processing"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await DeadlineSweeper.WaitForStartAsync(lifetime, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await AdmitOnceAsync(stoppingToken);
                if (await signal.WaitAsync(options.Value.AdmissionInterval, stoppingToken) && options.Value.AdmissionCoalesce > TimeSpan.Zero)
                {
                    await Task.Delay(options.Value.AdmissionCoalesce, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Admission pass failed, will retry: {Reason}", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Admits what fits now; returns how many admissions it sent.</summary>
    public async Task<int> AdmitOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            if (db.Database.IsNpgsql()
                && !await db.Database.SqlQueryRaw<bool>("SELECT pg_try_advisory_xact_lock({0}) AS \"Value\"", AdvisoryLockKey).SingleAsync(cancellationToken))
            {
                return 0;
            }

            var now = time.GetUtcNow();
            var limit = options.Value.MaxActivePerCompany;
            var waiting = await db.Workflows.AsNoTracking()
                .Where(x => x.AwaitingAdmission && x.CurrentState == "Queued")
                .Select(x => new { x.CorrelationId, x.CompanyId, x.QueuedAt, x.AdmittedAt, x.TraceParent })
                .ToListAsync(cancellationToken);
            if (waiting.Count == 0)
            {
                return 0;
            }

            var companies = waiting.Select(w => w.CompanyId).Distinct().ToList();
            var active = (await db.Workflows.AsNoTracking()
                    .Where(x => companies.Contains(x.CompanyId) && Active.Contains(x.CurrentState) && x.AdmittedAt != null)
                    .Select(x => new { x.CompanyId, x.AwaitingAdmission, x.AdmittedAt })
                    .ToListAsync(cancellationToken))
                .GroupBy(x => x.CompanyId)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

            // Admitted earlier but the saga never acted on it (the message was lost): send again, no new slot.
            var lease = now - TimeSpan.FromSeconds(30);
            var resend = waiting.Where(w => w.AdmittedAt is { } at && at < lease).Select(w => (w.CorrelationId, w.TraceParent)).ToList();
            var admit = waiting.Where(w => w.AdmittedAt is null)
                .GroupBy(w => w.CompanyId)
                .SelectMany(g => g.OrderBy(w => w.QueuedAt).ThenBy(w => w.CorrelationId).Take(Math.Max(0, limit - active.GetValueOrDefault(g.Key))))
                .Select(w => (w.CorrelationId, w.TraceParent))
                .ToList();
            if (admit.Count + resend.Count == 0)
            {
                return 0;
            }

            var saga = await bus.GetSendEndpoint(CommandQueues.OnboardingSaga);
            await Task.WhenAll(admit.Concat(resend).Select(w => SendAsync(saga, w.CorrelationId, w.TraceParent, cancellationToken)));
            var stamped = admit.Concat(resend).Select(w => w.CorrelationId).ToList();
            await db.Workflows.Where(x => stamped.Contains(x.CorrelationId))
                .ExecuteUpdateAsync(x => x.SetProperty(w => w.AdmittedAt, now), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return admit.Count + resend.Count;
        });
    }

    /// <summary>Sends the admission inside the workflow's own trace, so its steps stay in one trace with the push.</summary>
    static async Task SendAsync(ISendEndpoint saga, Guid workflowId, string? traceParent, CancellationToken cancellationToken)
    {
        System.Diagnostics.ActivityContext.TryParse(traceParent, null, out var parent);
        using var activity = Etter.ServiceDefaults.Observability.EtterTelemetry.Source.StartActivity("admission", System.Diagnostics.ActivityKind.Producer, parent);
        activity?.SetTag("etter.workflow_id", workflowId);
        await saga.SendBoundedAsync(new AdmitOnboarding { WorkflowId = workflowId }, cancellationToken);
    }
}
