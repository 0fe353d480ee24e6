using System.Diagnostics;

namespace Etter.Benchmarks.Measurement;

/// <summary>One workflow the benchmark pushed: when, how long the push took, and when it was seen finished.</summary>
public sealed class WorkflowRun(int index, string roleName)
{
    public int Index { get; } = index;

    public string RoleName { get; } = roleName;

    /// <summary>Known before the push in embedded mode (we choose it), after it in distributed mode (the API does).</summary>
    public Guid WorkflowId { get; set; }

    /// <summary>Wall clock, comparable with the timestamps the services write (same machine).</summary>
    public DateTimeOffset PushStartedAt { get; private set; }

    public long PushStartTimestamp { get; private set; }

    public double? PushMs { get; private set; }

    public string? PushError { get; set; }

    /// <summary>When the benchmark first saw a terminal status (wall clock).</summary>
    public DateTimeOffset? DoneAt { get; private set; }

    public long DoneTimestamp { get; private set; }

    public string? FinalStatus { get; private set; }

    public long LastSeenVersion { get; set; } = -1;

    public string? LastStatus { get; set; }

    public string? LastStep { get; set; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void MarkPushStarted()
    {
        PushStartedAt = DateTimeOffset.UtcNow;
        PushStartTimestamp = Stopwatch.GetTimestamp();
    }

    public void MarkPushed() => PushMs = Stopwatch.GetElapsedTime(PushStartTimestamp).TotalMilliseconds;

    public void MarkDone(string status, DateTimeOffset observedAt)
    {
        if (FinalStatus is not null)
        {
            return;
        }

        FinalStatus = status;
        DoneAt = observedAt;
        DoneTimestamp = Stopwatch.GetTimestamp();
        Done.TrySetResult();
    }

    /// <summary>Push start to the moment the benchmark saw the terminal status.</summary>
    public double? PushToVisibleMs => DoneAt is null ? null : (DoneAt.Value - PushStartedAt).TotalMilliseconds;
}
