using System.Diagnostics;
using Etter.Benchmarks.Reporting;

namespace Etter.Benchmarks.Measurement;

public static class ScenarioMath
{
    /// <summary>Throughput, latencies and error counts of a driven scenario, from its tracker.</summary>
    public static void FillFromDrive(ScenarioResult result, WorkflowTracker tracker, DriveResult drive, int workflows)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(drive);
        result.Workflows = workflows;
        result.Completed = tracker.Done;
        result.NotReady = tracker.NotReady;
        result.PushErrors = tracker.PushFailures;
        result.TimedOut = drive.TimedOut;
        result.Seconds = Math.Round(drive.Seconds, 2);
        result.Throughput = drive.Seconds > 0 ? Math.Round(tracker.Done / drive.Seconds, 1) : null;
        result.SteadyThroughput = Steady(tracker.CompletionTimestamps);
        result.PushApiMs = tracker.PushLatency.Summarize();
        result.VisibilityLagMs = tracker.VisibilityLag.Summarize();
        result.PushToVisibleMs = LatencySummary.From(tracker.Runs.Where(r => r.FinalStatus is not null).Select(r => r.PushToVisibleMs ?? double.NaN));
        foreach (var run in tracker.Runs.Where(r => r.PushError is not null).Take(5))
        {
            result.Errors.Add($"push {run.Index}: {run.PushError}");
        }
    }

    /// <summary>Completions per second between the 10th and 90th percentile completion.</summary>
    public static double? Steady(IReadOnlyList<long> completions)
    {
        ArgumentNullException.ThrowIfNull(completions);
        if (completions.Count < 20)
        {
            return null;
        }

        var sorted = completions.Order().ToArray();
        var from = sorted.Length / 10;
        var to = sorted.Length * 9 / 10 - 1;
        var seconds = Stopwatch.GetElapsedTime(sorted[from], sorted[to]).TotalSeconds;
        return seconds > 0 ? Math.Round((to - from) / seconds, 1) : null;
    }

    public static double? PerWorkflow(double total, int workflows) => workflows > 0 ? Math.Round(total / workflows, 2) : null;

    /// <summary>A signed percentage change, "+1.2%", "-0.4%" or "0.0%".</summary>
    public static string SignedPercent(double value)
    {
        var rounded = Math.Round(value, 1);
        return rounded == 0 ? "0.0%" : rounded.ToString("+0.0;-0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
    }
}
