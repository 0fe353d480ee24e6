namespace Etter.Contracts;

/// <summary>The companies in the taxonomy, in its order.</summary>
public sealed record CompanyCatalog
{
    public IReadOnlyList<string> Companies { get; init; } = [];
}
