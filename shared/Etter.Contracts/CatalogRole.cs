namespace Etter.Contracts;

/// <summary>A role of the taxonomy, with the fields the old pipeline API returned.</summary>
public sealed record CatalogRole
{
    public string JobId { get; init; } = "";

    public string JobTitle { get; init; } = "";

    public string JobRole { get; init; } = "";

    public string DraupRole { get; init; } = "";

    public string Occupation { get; init; } = "";

    public string JobFamily { get; init; } = "";
}
