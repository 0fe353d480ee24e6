using System.Data;
using Etter.Messaging.Bus;
using Etter.Orchestrator.Deadlines;
using Etter.Orchestrator.Persistence;
using Etter.Persistence;
using Etter.ReadModel;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Admission;

/// <summary>
/// Per-company backpressure for the workflows that could not start at once: at most
/// <see cref="OrchestratorOptions.MaxActivePerCompany"/> workflows of a company hold a slot (waiting for or running a
/// step); the rest stay Queued, oldest first, and are admitted here as slots come back. A workflow under the limit
/// never comes here: the saga admits it in the transaction that records it. Each company has its own slots, so a
/// 2,500-role batch from one client never holds back another client's single push. One admitter runs at a time
/// across orchestrator instances (a PostgreSQL advisory lock); an admission whose message was lost is sent again
/// after a lease.
/// </summary>
public sealed class AdmissionController(
    IServiceScopeFactory scopes,
    IBus bus,
    AdmissionSignal signal,
    TimeProvider time,
    IOptions<OrchestratorOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<AdmissionController> logger) : BackgroundService
{
    const long AdvisoryLockKey = 0x45545445525F4144; // "ETTER_AD"

    /// <summary>Waiting workflows looked at per company and pass; more are taken by the next pass.</summary>
    const int PerCompanyPerPass = 50;

    /// <summary>An admission the saga has not acted on within this long is sent again (its message was lost).</summary>
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

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
        var admitted = await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            if (db.RunsOnPostgres()
                && !await db.Database.SqlQueryRaw<bool>("SELECT pg_try_advisory_xact_lock({0}) AS \"Value\"", AdvisoryLockKey).SingleAsync(cancellationToken))
            {
                return [];
            }

            var now = time.GetUtcNow();
            var waiting = db.Workflows.AsNoTracking().Where(x => x.AwaitingAdmission && x.CurrentState == WorkflowStates.Queued);

            // Given a slot earlier, but the saga never acted on it (the message was lost): send again, no new slot.
            var lease = now - Lease;
            var admit = await waiting.Where(x => x.AdmittedAt != null && x.AdmittedAt < lease)
                .Select(x => new Admission(x.CorrelationId, x.TraceParent))
                .ToListAsync(cancellationToken);
            foreach (var company in await waiting.Where(x => x.AdmittedAt == null).Select(x => x.CompanyId).Distinct().ToListAsync(cancellationToken))
            {
                var line = await waiting.Where(x => x.AdmittedAt == null && x.CompanyId == company)
                    .OrderBy(x => x.QueuedAt).ThenBy(x => x.CorrelationId)
                    .Take(PerCompanyPerPass)
                    .Select(x => new Admission(x.CorrelationId, x.TraceParent))
                    .ToListAsync(cancellationToken);
                foreach (var next in line)
                {
                    if (await CompanySlots.ClaimAsync(db, company, next.WorkflowId, options.Value.MaxActivePerCompany, cancellationToken) is not { } slot)
                    {
                        break;
                    }

                    await db.Workflows.Where(x => x.CorrelationId == next.WorkflowId)
                        .ExecuteUpdateAsync(x => x.SetProperty(w => w.AdmittedAt, now).SetProperty(w => w.AdmissionSlot, slot), cancellationToken);
                    admit.Add(next);
                }
            }

            if (admit.Count > 0)
            {
                // Stamp the lease of resent admissions too, so each is resent once per lease.
                var ids = admit.Select(a => a.WorkflowId).ToList();
                await db.Workflows.Where(x => ids.Contains(x.CorrelationId) && x.AdmissionSlot != null)
                    .ExecuteUpdateAsync(x => x.SetProperty(w => w.AdmittedAt, now), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return admit;
        });

        // Sent after the commit: a saga must never start on a slot that was not kept.
        if (admitted.Count > 0)
        {
            var saga = await bus.GetSendEndpoint(CommandQueues.OnboardingSaga);
            await Task.WhenAll(admitted.Select(w => SendAsync(saga, w, cancellationToken)));
        }

        return admitted.Count;
    }

    /// <summary>Sends the admission inside the workflow's own trace, so its steps stay in one trace with the push.</summary>
    static async Task SendAsync(ISendEndpoint saga, Admission admission, CancellationToken cancellationToken)
    {
        System.Diagnostics.ActivityContext.TryParse(admission.TraceParent, null, out var parent);
        using var activity = Etter.ServiceDefaults.Observability.EtterTelemetry.Source.StartActivity("admission", System.Diagnostics.ActivityKind.Producer, parent);
        activity?.SetTag("etter.workflow_id", admission.WorkflowId);
        await saga.SendBoundedAsync(new AdmitOnboarding { WorkflowId = admission.WorkflowId }, cancellationToken);
    }

    sealed record Admission(Guid WorkflowId, string? TraceParent);
}
