using System.Collections.Concurrent;
using System.Diagnostics;
using Etter.Contracts;

namespace Etter.Benchmarks.Measurement;

/// <summary>
/// The workflows of one scenario. Status observations (the embedded store's Changed event, or the Redis
/// watcher in distributed mode) come in through <see cref="Observe"/>; the tracker records how long a new
/// status version took to become visible and completes a run when it reaches a terminal status.
/// </summary>
public sealed class WorkflowTracker
{
    readonly ConcurrentDictionary<Guid, WorkflowRun> _runs = new();
    readonly ConcurrentDictionary<Guid, WorkflowRun> _pending = new();
    readonly ConcurrentQueue<long> _completions = new();
    int _pushed;
    int _pushFailures;
    int _done;
    int _notReady;

    public LatencyRecorder VisibilityLag { get; } = new();

    public LatencyRecorder PushLatency { get; } = new();

    public int Pushed => Volatile.Read(ref _pushed);

    public int PushFailures => Volatile.Read(ref _pushFailures);

    public int Done => Volatile.Read(ref _done);

    public int NotReady => Volatile.Read(ref _notReady);

    public int InFlight => _pending.Count;

    public IReadOnlyCollection<WorkflowRun> Runs => [.. _runs.Values];

    /// <summary>Workflows pushed and not yet seen finished.</summary>
    public ICollection<WorkflowRun> Pending => _pending.Values;

    /// <summary>Stopwatch timestamps of completions, in the order they were seen.</summary>
    public IReadOnlyList<long> CompletionTimestamps => [.. _completions];

    public void Register(WorkflowRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs[run.WorkflowId] = run;
        _pending[run.WorkflowId] = run;
    }

    public void RecordPushed(WorkflowRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Interlocked.Increment(ref _pushed);
        if (run.PushMs is { } ms)
        {
            PushLatency.Add(ms);
        }
    }

    public void RecordPushFailure(WorkflowRun run, string error)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.PushError = error;
        Interlocked.Increment(ref _pushFailures);
        _pending.TryRemove(run.WorkflowId, out _);
        run.Done.TrySetResult();
    }

    public bool TryGet(Guid workflowId, out WorkflowRun run) => _runs.TryGetValue(workflowId, out run!);

    /// <summary>A status of a workflow as a reader sees it at <paramref name="observedAt"/>.</summary>
    public void Observe(Guid workflowId, string status, string? currentStep, long version, DateTimeOffset? updatedAt, DateTimeOffset observedAt)
    {
        if (!_runs.TryGetValue(workflowId, out var run))
        {
            return;
        }

        lock (run)
        {
            if (version <= run.LastSeenVersion)
            {
                return;
            }

            run.LastSeenVersion = version;
            run.LastStatus = status;
            run.LastStep = currentStep;
        }

        // Version 0 is the API's placeholder written at push time; only the saga's versions have a commit time.
        if (version > 0 && updatedAt is { } committed)
        {
            VisibilityLag.Add((observedAt - committed).TotalMilliseconds);
        }

        if (OnboardingStatuses.IsTerminal(status) && _pending.TryRemove(workflowId, out _))
        {
            run.MarkDone(status, observedAt);
            _completions.Enqueue(Stopwatch.GetTimestamp());
            Interlocked.Increment(ref _done);
            if (status != OnboardingStatuses.Ready)
            {
                Interlocked.Increment(ref _notReady);
            }
        }
    }
}
