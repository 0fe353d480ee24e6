namespace Etter.RoleSetup.RoleGraph;

/// <summary>
/// The role graph port: company roles and their job descriptions. Both writes are upserts keyed by the
/// role's deterministic id, so running role_setup twice leaves one role and one JD.
/// </summary>
public interface IRoleGraph
{
    /// <summary>
    /// True when the writes go through the scoped <see cref="Persistence.RoleGraphDbContext"/>, so they commit or
    /// roll back with role_setup's transaction (its inbox and outbox rows); false for a store of its own (Neo4j).
    /// </summary>
    bool JoinsRoleSetupTransaction { get; }

    Task UpsertCompanyRoleAsync(CompanyRoleRecord role, CancellationToken cancellationToken);

    Task UpsertJobDescriptionAsync(JobDescriptionRecord jobDescription, CancellationToken cancellationToken);

    Task<CompanyRoleRecord?> FindCompanyRoleAsync(string companyRoleId, CancellationToken cancellationToken);

    Task<JobDescriptionRecord?> FindJobDescriptionAsync(string companyRoleId, CancellationToken cancellationToken);
}
