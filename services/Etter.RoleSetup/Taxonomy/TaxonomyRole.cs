namespace Etter.RoleSetup.Taxonomy;

/// <summary>A role in a company's taxonomy, with the fields the old pipeline API returned.</summary>
public sealed record TaxonomyRole(
    string JobId,
    string JobTitle,
    string JobRole,
    string DraupRole,
    string Occupation,
    string JobFamily);
