using System.Text.Json;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>
/// The role graph in an existing Neo4j (the old system's schema), over Neo4j's HTTP API. Every write is a
/// MERGE keyed by the role's deterministic id, so running role_setup twice leaves one role, one job
/// description, one link and one Draup mapping. Uniqueness constraints are created on first use.
/// Failures are <see cref="RoleGraphException"/>s that say whether a retry can help.
/// </summary>
public sealed class Neo4jRoleGraph(Neo4jCypherClient cypher, Neo4jSchema schema) : IRoleGraph
{
    public bool JoinsRoleSetupTransaction => false;

    public async Task UpsertCompanyRoleAsync(CompanyRoleRecord role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentException.ThrowIfNullOrWhiteSpace(role.Id);
        await schema.EnsureAsync(cypher, cancellationToken);

        var draupRole = string.IsNullOrWhiteSpace(role.DraupRole) ? null : role.DraupRole.Trim();
        List<CypherStatement> statements = [Neo4jCypher.UpsertCompanyRole(role, draupRole)];
        if (draupRole is not null)
        {
            statements.Add(Neo4jCypher.MapToDraupRole(role.Id, draupRole));
        }

        const string operation = "upserting a company role";
        var results = await cypher.RunAsync(operation, statements, cancellationToken);
        if (results.Any(r => r.Rows.Count == 0))
        {
            throw Neo4jErrors.Unexpected(operation, $"company role {role.Id} was not written (a statement returned no row)");
        }
    }

    public async Task UpsertJobDescriptionAsync(JobDescriptionRecord jobDescription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobDescription);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobDescription.CompanyRoleId);
        await schema.EnsureAsync(cypher, cancellationToken);

        const string operation = "upserting a job description";
        var results = await cypher.RunAsync(operation, [Neo4jCypher.UpsertJobDescription(jobDescription)], cancellationToken);
        if (results[0].Rows.Count == 0)
        {
            throw new RoleGraphException(
                $"The job description was not written: company role {jobDescription.CompanyRoleId} is not in the Neo4j role graph. Upsert the role first.");
        }
    }

    public async Task<CompanyRoleRecord?> FindCompanyRoleAsync(string companyRoleId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(companyRoleId);
        var results = await cypher.RunAsync("reading a company role", [Neo4jCypher.FindCompanyRole(companyRoleId)], cancellationToken);
        if (results[0].Rows.Count == 0)
        {
            return null;
        }

        var row = results[0].Rows[0];
        var role = row[0];
        var updatedAt = Neo4jValues.Temporal(role, "updated_at");
        var createdAt = Neo4jValues.Temporal(role, "created_at") ?? updatedAt ?? default;
        return new CompanyRoleRecord(
            Neo4jValues.Text(role, "id") ?? companyRoleId,
            Neo4jValues.Text(role, "company_name") ?? "",
            Neo4jValues.Text(role, "role_name") ?? "",
            Neo4jValues.Text(role, "draup_role_id"),
            Neo4jValues.Text(role, "draup_role") ?? (row[1].ValueKind == JsonValueKind.String ? row[1].GetString() : null),
            Neo4jValues.Text(role, "source") ?? "",
            Neo4jValues.Text(role, "created_by"),
            Neo4jValues.Text(role, "trace_id"),
            createdAt,
            updatedAt ?? createdAt);
    }

    public async Task<JobDescriptionRecord?> FindJobDescriptionAsync(string companyRoleId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(companyRoleId);
        var results = await cypher.RunAsync("reading a job description", [Neo4jCypher.FindJobDescription(companyRoleId)], cancellationToken);
        if (results[0].Rows.Count == 0)
        {
            return null;
        }

        var jd = results[0].Rows[0][0];
        var updatedAt = Neo4jValues.Temporal(jd, "updated_at");
        var createdAt = Neo4jValues.Temporal(jd, "created_at") ?? updatedAt ?? default;
        return new JobDescriptionRecord(
            Neo4jValues.Text(jd, "company_role_id") ?? companyRoleId,
            Neo4jValues.Text(jd, "title") ?? "",
            Neo4jValues.Text(jd, "content") ?? "",
            Neo4jValues.Text(jd, "source") ?? "",
            createdAt,
            updatedAt ?? createdAt);
    }

    /// <summary>Health probe: runs <c>RETURN 1</c> with the configured credentials, database and protocol.</summary>
    public async Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var options = cypher.Options;
        var where = $"Neo4j database '{options.Database}' at {Neo4jOptions.Describe(options.BaseUri())} ({options.Protocol})";
        try
        {
            var results = await cypher.RunAsync("checking health", [Neo4jCypher.Ping], cancellationToken);
            return results[0].Rows.Count == 1
                ? (true, $"{where} answered.")
                : (false, $"{where} answered RETURN 1 without a row.");
        }
        catch (RoleGraphException ex)
        {
            return (false, ex.Message);
        }
    }
}
