using Etter.RoleSetup.Taxonomy;

namespace Etter.Cli.Commands;

/// <summary><c>etter companies</c> and <c>etter roles &lt;company&gt;</c>: the taxonomy the embedded default ships with.</summary>
static class CatalogCommands
{
    public static int Companies(CliArguments args, TextWriter stdout)
    {
        var json = args.Flag("json");
        args.EnsureAllUsed(maxPositionals: 0);
        var companies = new SampleTaxonomyProvider().GetCompanies();
        if (json)
        {
            Output.WriteJson(stdout, new { companies, totalCount = companies.Count });
            return ExitCodes.Ready;
        }

        foreach (var company in companies)
        {
            stdout.WriteLine(company);
        }

        return ExitCodes.Ready;
    }

    public static int Roles(CliArguments args, TextWriter stdout, TextWriter stderr)
    {
        var json = args.Flag("json");
        args.EnsureAllUsed(maxPositionals: 1);
        if (args.Positionals.Count != 1)
        {
            throw new CliUsageException("Usage: etter roles <company> (quote names with spaces: etter roles \"Liberty Mutual\").");
        }

        var company = args.Positionals[0];
        var roles = new SampleTaxonomyProvider().GetRoles(company);
        if (json)
        {
            Output.WriteJson(stdout, new { companyName = company, roles, totalCount = roles.Count });
            return ExitCodes.Ready;
        }

        if (roles.Count == 0)
        {
            stderr.WriteLine($"No roles known for '{company}'. 'etter companies' lists the companies.");
            return ExitCodes.NotFound;
        }

        foreach (var role in roles)
        {
            stdout.WriteLine($"{role.JobId,-8} {role.JobTitle,-36} draup: {role.DraupRole,-24} {role.JobFamily}");
        }

        return ExitCodes.Ready;
    }
}
