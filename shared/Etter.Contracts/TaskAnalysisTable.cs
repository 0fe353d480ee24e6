namespace Etter.Contracts;

/// <summary>
/// One row per workload activity. Headers: Workload Activity, Directive, Feedback Loop, Task Iteration,
/// Learning, Validation, Negligibility (the six collaboration modes, as percentages).
/// </summary>
public sealed record TaskAnalysisTable
{
    public static IReadOnlyList<string> StandardHeaders { get; } =
        ["Workload Activity", "Directive", "Feedback Loop", "Task Iteration", "Learning", "Validation", "Negligibility"];

    public IReadOnlyList<string> Headers { get; init; } = StandardHeaders;

    public IReadOnlyList<IReadOnlyList<string>> Body { get; init; } = [];
}
