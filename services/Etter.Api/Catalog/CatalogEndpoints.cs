using Etter.Api.Pipeline;
using Etter.BuildingBlocks.Taxonomy;
using Etter.Orchestrator.Persistence;

namespace Etter.Api.Catalog;

/// <summary><c>GET /companies</c> and <c>GET /roles/{company_name}</c>: the taxonomy, with each role's latest workflow status.</summary>
public static class CatalogEndpoints
{
    public const string NotStarted = "not_started";

    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.MapGet("/companies", (ITaxonomyProvider taxonomy) =>
        {
            var companies = taxonomy.GetCompanies();
            return Results.Ok(new CompaniesResponse(companies, companies.Count));
        }).WithName("ListCompanies").WithSummary("Companies in the taxonomy.");
        pipeline.MapGet("/roles/{companyName}", RolesAsync).WithName("ListRoles").WithSummary("A company's roles; an unknown company gives an empty list.");
        return pipeline;
    }

    static async Task<IResult> RolesAsync(string companyName, ITaxonomyProvider taxonomy, SagaStatusReader saga, CancellationToken cancellationToken)
    {
        var roles = taxonomy.GetRoles(companyName);
        var keys = roles.ToDictionary(r => r, r => CompanyRoleId.For(companyName, r.JobTitle));
        var statuses = roles.Count == 0 ? [] : await saga.LatestStatusByRoleKeyAsync(keys.Values.ToList(), cancellationToken);
        var items = roles.Select(r => new RoleItem(r.JobId, r.JobTitle, r.JobRole, r.DraupRole, r.Occupation, r.JobFamily,
            statuses.GetValueOrDefault(keys[r], NotStarted))).ToList();
        return Results.Ok(new RolesResponse(companyName, items, items.Count));
    }
}

public sealed record CompaniesResponse(IReadOnlyList<string> Companies, int TotalCount);

public sealed record RolesResponse(string CompanyName, IReadOnlyList<RoleItem> Roles, int TotalCount);

public sealed record RoleItem(string JobId, string JobTitle, string JobRole, string DraupRole, string Occupation, string JobFamily, string Status);
