namespace Etter.Contracts;

public sealed record TaskAnalysis
{
    public TaskAnalysisTable TaskAnalysisTable { get; init; } = new();

    public int TaskCount { get; init; }
}
