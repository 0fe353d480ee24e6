using Etter.AiAssessment.Engines;
using Etter.Contracts;
using Etter.Messaging.Bus;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.AiAssessment.Runs;

/// <summary>
/// Runs long assessments off the message: the command is acknowledged as soon as its run is claimed and handed
/// here, so an assessment longer than RabbitMQ's consumer-ack timeout is never cancelled or redelivered by
/// the broker. Liveness is a lease instead: a run still going after <see cref="AssessmentOptions.StartedAfter"/>
/// reports that it started and then sends heartbeats, and the orchestrator treats a heartbeat gap as a lost worker
/// and retries the step per its policy. The outcome is stored with its outbox row, so the outbox delivers it
/// however long the broker refuses it; giving up on it would have the engine run again.
/// </summary>
public sealed class AssessmentRunner(
    IServiceScopeFactory scopes,
    IBus bus,
    AssessmentExecution execution,
    TimeProvider time,
    IOptions<AssessmentOptions> options,
    ILogger<AssessmentRunner> logger) : IHostedService, IDisposable
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _running = new();

    readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentRuns, options.Value.MaxConcurrentRuns);

    /// <summary>Waits for a free slot, then starts the claimed run in the background and returns.</summary>
    public async Task StartAsync(AssessRole command, IAssessmentEngine engine, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        var run = Task.Run(() => RunAsync(command, engine, startedAt), CancellationToken.None);
        _running.TryAdd(run, 0);
        _ = run.ContinueWith(finished => _running.TryRemove(finished, out _), TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>On shutdown, lets runs in progress finish (within the host's shutdown timeout) rather than cutting them off.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var running = _running.Keys.ToArray();
        if (running.Length == 0)
        {
            return;
        }

        logger.LogInformation("Waiting for {Count} assessment run(s) to finish before stopping", running.Length);
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the orchestrator notices the silence and retries those attempts.
            logger.LogWarning("Stopped with assessment runs still in progress; they will be retried");
        }
    }

    async Task RunAsync(AssessRole command, IAssessmentEngine engine, DateTimeOffset startedAt)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object>
        {
            ["workflow_id"] = command.WorkflowId,
            ["company_id"] = command.CompanyId,
            ["step"] = OnboardingSteps.AiAssessment,
            ["attempt"] = command.Attempt,
        });
        using var stopSignals = new CancellationTokenSource();
        Task signals = Task.CompletedTask;
        try
        {
            signals = SendSignalsAsync(command, engine, startedAt, stopSignals.Token);
            var outcome = await execution.RunAsync(command, engine, startedAt);

            // Quiet before the outcome is recorded, so no start or heartbeat of this run follows its outcome.
            await StopSignalsAsync(stopSignals, signals);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AssessmentRunStore>().FinishAsync(outcome, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Not recorded, so not reported: the orchestrator sees the heartbeats stop and retries the attempt.
            logger.LogError(ex, "Assessment run of workflow {WorkflowId} attempt {Attempt} could not record its outcome", command.WorkflowId, command.Attempt);
        }
        finally
        {
            await StopSignalsAsync(stopSignals, signals);
            _slots.Release();
        }
    }

    static async Task StopSignalsAsync(CancellationTokenSource stop, Task signals)
    {
        await stop.CancelAsync();
        await signals.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// Best effort, straight to the bus: a run that ends within the grace never says it started (its outcome
    /// carries the start time), and a lost start or beat is covered by the next beat or the outcome.
    /// </summary>
    async Task SendSignalsAsync(AssessRole command, IAssessmentEngine engine, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await Task.Delay(options.Value.StartedAfter, time, cancellationToken);
        try
        {
            await bus.PublishBoundedAsync(
                new AiAssessmentStarted { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Engine = engine.Name, StartedAt = startedAt },
                cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Reporting the start of workflow {WorkflowId} failed: {Reason}", command.WorkflowId, ex.Message);
        }

        // The orchestrator's heartbeat deadline runs from the start event, so the beats are timed from it too.
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AssessmentRunStore>().HeartbeatAsync(command.WorkflowId, command.Attempt, cancellationToken);
                await bus.PublishBoundedAsync(new AiAssessmentHeartbeat { WorkflowId = command.WorkflowId, Attempt = command.Attempt, At = time.GetUtcNow() }, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A missed beat is tolerated: the orchestrator's gap allows several.
                logger.LogWarning("Heartbeat for workflow {WorkflowId} failed: {Reason}", command.WorkflowId, ex.Message);
            }
        }
    }

    public void Dispose() => _slots.Dispose();
}
