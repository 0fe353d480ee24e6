using System.Diagnostics.Metrics;
using Etter.Orchestrator.Saga;
using Etter.ServiceDefaults.Observability;

namespace Etter.Orchestrator.Observability;

/// <summary>
/// Workflow metrics from the plan: transitions by state, step duration, outcomes (success rate), retries,
/// queue wait (Queued → Processing) and time to Ready. Recorded in-process as the saga changes.
/// </summary>
public static class OnboardingMetrics
{
    static readonly Counter<long> Transitions = EtterTelemetry.Meter.CreateCounter<long>("etter.workflow.transitions", description: "Workflow status changes, by the status entered.");
    static readonly Counter<long> Outcomes = EtterTelemetry.Meter.CreateCounter<long>("etter.workflow.outcomes", description: "Workflows finished, by final status.");
    static readonly Counter<long> Retries = EtterTelemetry.Meter.CreateCounter<long>("etter.step.retries", description: "Step attempts after the first, by step.");
    static readonly Histogram<double> StepDuration = EtterTelemetry.Meter.CreateHistogram<double>("etter.step.duration", "ms", "Duration of finished step attempts.");
    static readonly Histogram<double> QueueWait = EtterTelemetry.Meter.CreateHistogram<double>("etter.workflow.queue_wait", "ms", "From queued until a worker started the first step.");
    static readonly Histogram<double> TimeToReady = EtterTelemetry.Meter.CreateHistogram<double>("etter.workflow.time_to_ready", "ms", "From queued to ready.");

    /// <param name="finishedStep">The step whose attempt ended with this change, if one did.</param>
    public static void Record(OnboardingState saga, string? previousStatus, string status, string? finishedStep)
    {
        ArgumentNullException.ThrowIfNull(saga);
        if (status != previousStatus)
        {
            Transitions.Add(1, new KeyValuePair<string, object?>("status", status));
        }

        if (previousStatus == OnboardingStatuses.Queued && status == OnboardingStatuses.Processing && saga.StartedAt is { } started && saga.RoleSetup.Attempt == 1)
        {
            QueueWait.Record((started - saga.QueuedAt).TotalMilliseconds);
        }

        if (finishedStep is { } stepName && saga.Step(stepName) is { StartedAt: { } from, CompletedAt: { } to } step)
        {
            StepDuration.Record((to - from).TotalMilliseconds, new KeyValuePair<string, object?>("step", stepName), new KeyValuePair<string, object?>("outcome", step.Status));
        }

        if (status == OnboardingStatuses.Queued && previousStatus is OnboardingStatuses.Queued or OnboardingStatuses.Processing)
        {
            Retries.Add(1, new KeyValuePair<string, object?>("step", saga.CurrentStep));
        }

        if (OnboardingStatuses.IsTerminal(status) && status != previousStatus)
        {
            Outcomes.Add(1, new KeyValuePair<string, object?>("status", status));
            if (status == OnboardingStatuses.Ready && saga.CompletedAt is { } completed)
            {
                TimeToReady.Record((completed - saga.QueuedAt).TotalMilliseconds);
            }
        }
    }
}
