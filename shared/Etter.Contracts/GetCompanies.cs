namespace Etter.Contracts;

/// <summary>Asks RoleSetup, which owns the taxonomy, for its companies; answered with <see cref="CompanyCatalog"/>.</summary>
public sealed record GetCompanies;
