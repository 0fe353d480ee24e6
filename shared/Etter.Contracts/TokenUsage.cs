namespace Etter.Contracts;

public sealed record TokenUsage
{
    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }
}
