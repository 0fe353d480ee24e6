using Etter.Contracts;
using Etter.RoleSetup.Taxonomy;
using MassTransit;

namespace Etter.RoleSetup.Catalog;

/// <summary>Answers taxonomy questions for other services (the API's <c>/companies</c> and <c>/roles</c>): RoleSetup owns the taxonomy.</summary>
public sealed class CatalogQueryConsumer(ITaxonomyProvider taxonomy) : IConsumer<GetCompanies>, IConsumer<GetCompanyRoles>
{
    public Task Consume(ConsumeContext<GetCompanies> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RespondAsync(new CompanyCatalog { Companies = taxonomy.GetCompanies() });
    }

    public Task Consume(ConsumeContext<GetCompanyRoles> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var roles = taxonomy.GetRoles(context.Message.CompanyName)
            .Select(r => new CatalogRole { JobId = r.JobId, JobTitle = r.JobTitle, JobRole = r.JobRole, DraupRole = r.DraupRole, Occupation = r.Occupation, JobFamily = r.JobFamily })
            .ToList();
        return context.RespondAsync(new CompanyRoleCatalog { CompanyName = context.Message.CompanyName, Roles = roles });
    }
}
