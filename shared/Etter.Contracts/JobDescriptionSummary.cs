namespace Etter.Contracts;

/// <summary>The job description linked to a role, normalized to markdown.</summary>
public sealed record JobDescriptionSummary
{
    public string Title { get; init; } = "";

    public string Markdown { get; init; } = "";

    /// <summary>Where the JD came from: <c>document</c>, <c>sample</c>, <c>uri</c>...</summary>
    public string Source { get; init; } = "";
}
