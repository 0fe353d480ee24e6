using System.Diagnostics;
using System.Globalization;

namespace Etter.Benchmarks.Measurement;

/// <summary>Prints a progress line every few seconds while a scenario runs (to stderr, so stdout keeps the report).</summary>
public sealed class Progress : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    Progress(string label, WorkflowTracker tracker, int total, TimeSpan interval)
    {
        _loop = Task.Run(async () =>
        {
            var start = Stopwatch.GetTimestamp();
            var lastDone = 0;
            var lastAt = start;
            using var timer = new PeriodicTimer(interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    var now = Stopwatch.GetTimestamp();
                    var done = tracker.Done;
                    var rate = (done - lastDone) / Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
                    lastDone = done;
                    lastAt = now;
                    Line(label, string.Create(CultureInfo.InvariantCulture,
                        $"{Stopwatch.GetElapsedTime(start, now).TotalSeconds,5:0}s  pushed {tracker.Pushed,6}/{total}  done {done,6}  in flight {tracker.InFlight,5}  {rate,7:0.0} wf/s  push errors {tracker.PushFailures}  not ready {tracker.NotReady}"));
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        });
    }

    public static Progress Start(string label, WorkflowTracker tracker, int total) => new(label, tracker, total, TimeSpan.FromSeconds(2));

    public static void Line(string label, string text) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss} {label}] {text}"));

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the loop only ends by cancellation
        }

        _stop.Dispose();
    }
}
