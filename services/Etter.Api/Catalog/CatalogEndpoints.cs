using Etter.Contracts;
using Etter.Onboarding;
using Etter.ReadModel;
using MassTransit;

namespace Etter.Api.Catalog;

/// <summary>
/// <c>GET /companies</c> and <c>GET /roles/{company_name}</c>: the taxonomy, asked of RoleSetup (which owns it), with
/// each role's latest workflow status from the workflow store.
/// </summary>
public static class CatalogEndpoints
{
    public const string NotStarted = "not_started";

    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.MapGet("/companies", CompaniesAsync).WithName("ListCompanies").WithSummary("Companies in the taxonomy.");
        pipeline.MapGet("/roles/{companyName}", RolesAsync).WithName("ListRoles").WithSummary("A company's roles; an unknown company gives an empty list.");
        return pipeline;
    }

    static async Task<IResult> CompaniesAsync(IRequestClient<GetCompanies> catalog, CancellationToken cancellationToken)
    {
        var companies = (await catalog.GetResponse<CompanyCatalog>(new GetCompanies(), cancellationToken)).Message.Companies;
        return Results.Ok(new CompaniesResponse(companies, companies.Count));
    }

    static async Task<IResult> RolesAsync(string companyName, IRequestClient<GetCompanyRoles> catalog, WorkflowReader workflows, CancellationToken cancellationToken)
    {
        var roles = (await catalog.GetResponse<CompanyRoleCatalog>(new GetCompanyRoles { CompanyName = companyName }, cancellationToken)).Message.Roles;
        var keys = roles.ToDictionary(r => r, r => CompanyRoleId.For(companyName, r.JobTitle));
        var statuses = roles.Count == 0 ? [] : await workflows.LatestStatusByRoleKeyAsync(keys.Values.ToList(), cancellationToken);
        var items = roles.Select(r => new RoleItem(r.JobId, r.JobTitle, r.JobRole, r.DraupRole, r.Occupation, r.JobFamily,
            statuses.GetValueOrDefault(keys[r], NotStarted))).ToList();
        return Results.Ok(new RolesResponse(companyName, items, items.Count));
    }
}

public sealed record CompaniesResponse(IReadOnlyList<string> Companies, int TotalCount);

public sealed record RolesResponse(string CompanyName, IReadOnlyList<RoleItem> Roles, int TotalCount);

public sealed record RoleItem(string JobId, string JobTitle, string JobRole, string DraupRole, string Occupation, string JobFamily, string Status);
