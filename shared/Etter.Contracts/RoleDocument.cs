namespace Etter.Contracts;

/// <summary>A document attached to a push: inline <see cref="Content"/> or a <see cref="Uri"/> to fetch.</summary>
public sealed record RoleDocument
{
    /// <summary>One of <see cref="DocumentTypes"/>; anything else is treated as <c>other</c>.</summary>
    public string Type { get; init; } = DocumentTypes.Other;

    public string? Uri { get; init; }

    public string? Content { get; init; }

    public string? Name { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
