using System.Globalization;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>
/// The Cypher the Neo4j role graph runs. Statements are constants: values only ever travel as parameters,
/// so nothing a caller sends can change a statement. Each statement is one line, as the HTTP APIs expect.
/// Schema (the old system's):
/// <c>(:CompanyRole {id, company_name, role_name, draup_role, created_at, created_by, trace_id, source, updated_at})
/// -[:HAS_JOB_DESCRIPTION]-&gt;(:JobDescription {company_role_id, content, title, source, created_at, updated_at})</c>
/// and <c>(:CompanyRole)-[:MAPS_TO]-&gt;(:DraupRole {name})</c>; <c>draup_role_id</c> is kept on the role when known.
/// </summary>
static class Neo4jCypher
{
    public static readonly IReadOnlyList<CypherStatement> Constraints =
    [
        new("CREATE CONSTRAINT company_role_id IF NOT EXISTS FOR (r:CompanyRole) REQUIRE r.id IS UNIQUE", NoParameters),
        new("CREATE CONSTRAINT job_description_company_role_id IF NOT EXISTS FOR (j:JobDescription) REQUIRE j.company_role_id IS UNIQUE", NoParameters),
        new("CREATE CONSTRAINT draup_role_name IF NOT EXISTS FOR (d:DraupRole) REQUIRE d.name IS UNIQUE", NoParameters),
    ];

    public static readonly CypherStatement Ping = new("RETURN 1 AS ok", NoParameters);

    // created_at/created_by are written once; what a later run does not know (draup role, trace) is kept.
    const string UpsertCompanyRoleText =
        "MERGE (r:CompanyRole {id: $id}) " +
        "ON CREATE SET r.created_at = datetime($created_at), r.created_by = $created_by " +
        "SET r.company_name = $company_name, r.role_name = $role_name, r.source = $source, r.updated_at = datetime($updated_at), " +
        "r.draup_role = coalesce($draup_role, r.draup_role), r.draup_role_id = coalesce($draup_role_id, r.draup_role_id), " +
        "r.trace_id = coalesce($trace_id, r.trace_id) " +
        "RETURN r.id AS id";

    // A role maps to one Draup role: a mapping to a different one (the draup role was corrected) is replaced.
    const string MapToDraupRoleText =
        "MATCH (r:CompanyRole {id: $id}) " +
        "OPTIONAL MATCH (r)-[stale:MAPS_TO]->(other:DraupRole) WHERE other.name <> $draup_role " +
        "DELETE stale " +
        "WITH DISTINCT r " +
        "MERGE (d:DraupRole {name: $draup_role}) " +
        "MERGE (r)-[:MAPS_TO]->(d) " +
        "RETURN d.name AS draup_role";

    const string UpsertJobDescriptionText =
        "MATCH (r:CompanyRole {id: $company_role_id}) " +
        "MERGE (j:JobDescription {company_role_id: $company_role_id}) " +
        "ON CREATE SET j.created_at = datetime($created_at) " +
        "SET j.title = $title, j.content = $content, j.source = $source, j.updated_at = datetime($updated_at) " +
        "MERGE (r)-[:HAS_JOB_DESCRIPTION]->(j) " +
        "RETURN j.company_role_id AS company_role_id";

    const string FindCompanyRoleText =
        "MATCH (r:CompanyRole {id: $id}) " +
        "OPTIONAL MATCH (r)-[:MAPS_TO]->(d:DraupRole) " +
        "RETURN properties(r) AS role, d.name AS mapped_draup_role " +
        "LIMIT 1";

    const string FindJobDescriptionText =
        "MATCH (r:CompanyRole {id: $company_role_id})-[:HAS_JOB_DESCRIPTION]->(j:JobDescription) " +
        "RETURN properties(j) AS job_description " +
        "LIMIT 1";

    static IReadOnlyDictionary<string, string?> NoParameters => new Dictionary<string, string?>();

    public static CypherStatement UpsertCompanyRole(CompanyRoleRecord role, string? draupRole) => new(UpsertCompanyRoleText, new Dictionary<string, string?>
    {
        ["id"] = role.Id,
        ["company_name"] = role.CompanyName,
        ["role_name"] = role.RoleName,
        ["draup_role"] = draupRole,
        ["draup_role_id"] = string.IsNullOrWhiteSpace(role.DraupRoleId) ? null : role.DraupRoleId,
        ["source"] = role.Source,
        ["created_by"] = role.CreatedBy,
        ["trace_id"] = role.TraceId,
        ["created_at"] = Temporal(role.CreatedAt),
        ["updated_at"] = Temporal(role.UpdatedAt),
    });

    public static CypherStatement MapToDraupRole(string companyRoleId, string draupRole) => new(MapToDraupRoleText, new Dictionary<string, string?>
    {
        ["id"] = companyRoleId,
        ["draup_role"] = draupRole,
    });

    public static CypherStatement UpsertJobDescription(JobDescriptionRecord jd) => new(UpsertJobDescriptionText, new Dictionary<string, string?>
    {
        ["company_role_id"] = jd.CompanyRoleId,
        ["title"] = jd.Title,
        ["content"] = jd.Content,
        ["source"] = jd.Source,
        ["created_at"] = Temporal(jd.CreatedAt),
        ["updated_at"] = Temporal(jd.UpdatedAt),
    });

    public static CypherStatement FindCompanyRole(string companyRoleId) =>
        new(FindCompanyRoleText, new Dictionary<string, string?> { ["id"] = companyRoleId });

    public static CypherStatement FindJobDescription(string companyRoleId) =>
        new(FindJobDescriptionText, new Dictionary<string, string?> { ["company_role_id"] = companyRoleId });

    /// <summary>ISO-8601 with offset, which Cypher's <c>datetime()</c> reads.</summary>
    public static string Temporal(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);
}
