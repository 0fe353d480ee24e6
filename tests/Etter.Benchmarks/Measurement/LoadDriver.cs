using System.Diagnostics;
using System.Globalization;

namespace Etter.Benchmarks.Measurement;

/// <summary>How a scenario offers load: a fixed number of workflows in flight, or a fixed arrival rate.</summary>
public sealed record LoadShape(int? Concurrency, double? Rate)
{
    public static LoadShape Closed(int concurrency) => new(concurrency, null);

    public static LoadShape Open(double rate) => new(null, rate);

    public override string ToString() => Rate is { } r
        ? string.Create(CultureInfo.InvariantCulture, $"open loop, {r:0.#} pushes/s")
        : string.Create(CultureInfo.InvariantCulture, $"closed loop, {Concurrency} in flight");
}

/// <summary>What happened while driving a scenario.</summary>
public sealed record DriveResult(long StartTimestamp, long EndTimestamp, int TimedOut)
{
    public double Seconds => Stopwatch.GetElapsedTime(StartTimestamp, EndTimestamp).TotalSeconds;
}

/// <summary>
/// Pushes workflows and waits for them. <c>push</c> must register the run with the tracker (once its id is
/// known) and record the push; completions arrive through the tracker.
/// </summary>
public static class LoadDriver
{
    public static async Task<DriveResult> RunAsync(
        string label,
        WorkflowTracker tracker,
        int count,
        LoadShape shape,
        Func<int, WorkflowRun> create,
        Func<WorkflowRun, CancellationToken, Task> push,
        TimeSpan perWorkflowTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(push);
        var start = Stopwatch.GetTimestamp();
        var timedOut = 0;
        using var progress = Progress.Start(label, tracker, count);

        async Task PushOneAsync(WorkflowRun run)
        {
            try
            {
                await push(run, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                tracker.RecordPushFailure(run, ex.Message);
            }
        }

        async Task AwaitOneAsync(WorkflowRun run)
        {
            try
            {
                await run.Done.Task.WaitAsync(perWorkflowTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref timedOut);
            }
        }

        if (shape.Rate is { } rate)
        {
            // Open loop: arrivals on a fixed schedule whatever the system does; a push in progress never delays the next.
            var all = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                var due = start + (long)(i / rate * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait, cancellationToken);
                }

                var run = create(i);
                all.Add(Task.Run(async () =>
                {
                    await PushOneAsync(run);
                    await AwaitOneAsync(run);
                }, cancellationToken));
            }

            await Task.WhenAll(all);
        }
        else
        {
            var next = -1;
            var workers = Enumerable.Range(0, Math.Min(shape.Concurrency ?? 1, count)).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
                {
                    var run = create(i);
                    await PushOneAsync(run);
                    await AwaitOneAsync(run);
                }
            }, cancellationToken));
            await Task.WhenAll(workers);
        }

        var completions = tracker.CompletionTimestamps;
        var end = completions.Count > 0 ? completions.Max() : Stopwatch.GetTimestamp();
        return new DriveResult(start, end, timedOut);
    }
}
