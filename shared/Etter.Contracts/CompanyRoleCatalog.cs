namespace Etter.Contracts;

/// <summary>A company's roles in the taxonomy; empty when the company is unknown.</summary>
public sealed record CompanyRoleCatalog
{
    public string CompanyName { get; init; } = "";

    public IReadOnlyList<CatalogRole> Roles { get; init; } = [];
}
