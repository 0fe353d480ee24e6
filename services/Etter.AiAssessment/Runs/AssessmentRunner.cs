using Etter.AiAssessment.Engines;
using Etter.Messaging.Bus;
using Etter.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.AiAssessment.Runs;

/// <summary>
/// Runs assessments off the message: the command is acknowledged as soon as its run is claimed and handed
/// here, so an assessment longer than RabbitMQ's consumer-ack timeout is never cancelled or redelivered by
/// the broker. Liveness is a lease instead: while it runs, the attempt sends heartbeats, and the orchestrator
/// treats a heartbeat gap as a lost worker and retries the step per its policy.
/// </summary>
public sealed class AssessmentRunner(
    IServiceScopeFactory scopes,
    IBus bus,
    TimeProvider time,
    IOptions<AssessmentOptions> options,
    ILogger<AssessmentRunner> logger) : IHostedService, IDisposable
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _running = new();

    static readonly System.Diagnostics.Metrics.Histogram<long> TokensPerRole =
        Etter.ServiceDefaults.Observability.EtterTelemetry.Meter.CreateHistogram<long>("etter.assessment.tokens", "{token}", "LLM tokens used per role assessment.");

    readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentRuns, options.Value.MaxConcurrentRuns);

    /// <summary>Cancelled when the host runs out of shutdown time; ends outcome retries that are still waiting.</summary>
    readonly CancellationTokenSource _stopping = new();

    /// <summary>Waits for a free slot, then starts the run in the background and returns.</summary>
    public async Task StartAsync(AssessRole command, IAssessmentEngine engine, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        var run = Task.Run(() => RunAsync(command, engine), CancellationToken.None);
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
            await _stopping.CancelAsync();
            logger.LogWarning("Stopped with assessment runs still in progress; they will be retried");
        }
    }

    async Task RunAsync(AssessRole command, IAssessmentEngine engine)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object>
        {
            ["workflow_id"] = command.WorkflowId,
            ["company_id"] = command.CompanyId,
            ["step"] = OnboardingSteps.AiAssessment,
            ["attempt"] = command.Attempt,
        });
        using var stopHeartbeats = new CancellationTokenSource();
        Task? heartbeats = null;
        try
        {
            heartbeats = SendHeartbeatsAsync(command, stopHeartbeats.Token);
            var outcome = await AssessAsync(command, engine);
            await stopHeartbeats.CancelAsync();
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AssessmentRunStore>().FinishAsync(outcome, CancellationToken.None);
            await PublishOutcomeAsync(outcome);
        }
        catch (Exception ex)
        {
            // Nothing was published: the orchestrator sees the heartbeats stop and retries the attempt.
            logger.LogError(ex, "Assessment run of workflow {WorkflowId} attempt {Attempt} could not report its outcome", command.WorkflowId, command.Attempt);
        }
        finally
        {
            await stopHeartbeats.CancelAsync();
            if (heartbeats is not null)
            {
                await heartbeats.ContinueWith(_ => { }, TaskScheduler.Default);
            }

            _slots.Release();
        }
    }

    async Task<object> AssessAsync(AssessRole command, IAssessmentEngine engine)
    {
        using var activity = Etter.ServiceDefaults.Observability.EtterTelemetry.Source.StartActivity($"assessment.engine {engine.Name}");
        activity?.SetTag("etter.workflow_id", command.WorkflowId);
        activity?.SetTag("etter.attempt", command.Attempt);
        try
        {
            var result = await engine.AssessAsync(
                new AssessmentRequest(command.CompanyId, command.RoleName, command.DraupRoleName, command.JobDescriptionMarkdown),
                heartbeat: _ => Task.CompletedTask,
                CancellationToken.None);
            if (result.TokenUsage is { } usage)
            {
                TokensPerRole.Record(usage.TotalTokens, new KeyValuePair<string, object?>("engine", engine.Name));
            }

            return new AiAssessmentCompleted { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Result = result, CompletedAt = time.GetUtcNow() };
        }
        catch (AssessmentEngineException ex)
        {
            logger.LogWarning("Assessment of workflow {WorkflowId} failed: {Code} {Message}", command.WorkflowId, ex.Error.Code, ex.Error.Message);
            return new AiAssessmentFailed { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Error = ex.Error, FailedAt = time.GetUtcNow() };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Assessment engine {Engine} crashed for workflow {WorkflowId}", engine.Name, command.WorkflowId);
            return new AiAssessmentFailed
            {
                WorkflowId = command.WorkflowId,
                Attempt = command.Attempt,
                Error = new OnboardingError { Code = ErrorCodes.AssessmentFailed, Message = $"The {engine.Name} engine crashed: {ex.Message}", Recoverable = true },
                FailedAt = time.GetUtcNow(),
            };
        }
    }

    /// <summary>
    /// The outcome is stored, so publishing it again is safe (the saga ignores duplicates). It is retried until the
    /// broker takes it or the service stops: a broker failover or a node restart can refuse publishes for minutes,
    /// and giving up would leave the finished attempt to the orchestrator's heartbeat timeout, which runs the
    /// engine again. Each try has the bounded-write deadline, so a confirm lost with a dead connection is retried
    /// too instead of being waited on forever.
    /// </summary>
    async Task PublishOutcomeAsync(object outcome)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                await bus.PublishBoundedAsync(outcome, outcome.GetType(), _stopping.Token);
                if (retry > 0)
                {
                    logger.LogInformation("Published the assessment outcome after {Retries} retries", retry);
                }

                return;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                var delay = OutcomePublishBackoff[Math.Min(retry, OutcomePublishBackoff.Length - 1)];
                logger.LogWarning("Publishing the assessment outcome failed, retrying in {Delay}: {Reason}", delay, ex.Message);
                await Task.Delay(delay, time, _stopping.Token);
            }
        }
    }

    static readonly TimeSpan[] OutcomePublishBackoff =
        [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15)];

    async Task SendHeartbeatsAsync(AssessRole command, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AssessmentRunStore>().HeartbeatAsync(command.WorkflowId, command.Attempt, cancellationToken);
                await bus.PublishBoundedAsync(new AiAssessmentHeartbeat { WorkflowId = command.WorkflowId, Attempt = command.Attempt, At = time.GetUtcNow() }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed beat is tolerated: the orchestrator's gap allows several.
                logger.LogWarning("Heartbeat for workflow {WorkflowId} failed: {Reason}", command.WorkflowId, ex.Message);
            }
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        _stopping.Dispose();
    }
}
