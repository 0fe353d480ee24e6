namespace Etter.Contracts;

public sealed record KeyMetrics
{
    public int TotalTasks { get; init; }

    public int AutomatableTasks { get; init; }

    public int AugmentableTasks { get; init; }

    public int HumanTasks { get; init; }

    /// <summary>Estimated share of working time AI could save, 0-100.</summary>
    public double TimeEfficiencyPercent { get; init; }
}
