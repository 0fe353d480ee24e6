using Etter.RoleSetup.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.RoleGraph;

/// <summary>
/// The default role graph: two tables (company_role, job_description) on SQLite or PostgreSQL.
/// Each upsert is one <c>INSERT ... ON CONFLICT DO UPDATE</c>, which both databases run atomically against a concurrent
/// insert of the same key: one round trip and no savepoint, where a read, an insert and a retry on conflict took up to
/// four statements (role_setup runs two upserts for every workflow). Inside role_setup's unit of work on PostgreSQL they
/// are held with its inbox claim and answer and go in one batch with the commit (<see cref="Etter.Persistence.EtterDbContext.WriteSqlAsync"/>).
/// </summary>
public sealed class RelationalRoleGraph(RoleGraphDbContext db) : IRoleGraph
{
    public bool JoinsRoleSetupTransaction => true;

    public Task UpsertCompanyRoleAsync(CompanyRoleRecord role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(role);

        // A Draup match or trace id learnt earlier is kept when this run brings none; who created the role and when stay.
        return db.WriteSqlAsync(
            $"""
            INSERT INTO company_role (id, company_name, role_name, draup_role_id, draup_role, source, created_by, trace_id, created_at, updated_at)
            VALUES ({role.Id}, {role.CompanyName}, {role.RoleName}, {role.DraupRoleId}, {role.DraupRole}, {role.Source}, {role.CreatedBy}, {role.TraceId}, {role.CreatedAt}, {role.UpdatedAt})
            ON CONFLICT (id) DO UPDATE SET
                company_name = excluded.company_name,
                role_name = excluded.role_name,
                draup_role_id = COALESCE(excluded.draup_role_id, company_role.draup_role_id),
                draup_role = COALESCE(excluded.draup_role, company_role.draup_role),
                source = excluded.source,
                trace_id = COALESCE(excluded.trace_id, company_role.trace_id),
                updated_at = excluded.updated_at
            """,
            cancellationToken);
    }

    public Task UpsertJobDescriptionAsync(JobDescriptionRecord jobDescription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobDescription);
        return db.WriteSqlAsync(
            $"""
            INSERT INTO job_description (company_role_id, title, content, source, created_at, updated_at)
            VALUES ({jobDescription.CompanyRoleId}, {jobDescription.Title}, {jobDescription.Content}, {jobDescription.Source}, {jobDescription.CreatedAt}, {jobDescription.UpdatedAt})
            ON CONFLICT (company_role_id) DO UPDATE SET
                title = excluded.title,
                content = excluded.content,
                source = excluded.source,
                updated_at = excluded.updated_at
            """,
            cancellationToken);
    }

    public async Task<CompanyRoleRecord?> FindCompanyRoleAsync(string companyRoleId, CancellationToken cancellationToken)
    {
        var role = await db.CompanyRoles.AsNoTracking().SingleOrDefaultAsync(x => x.Id == companyRoleId, cancellationToken);
        return role is null
            ? null
            : new CompanyRoleRecord(role.Id, role.CompanyName, role.RoleName, role.DraupRoleId, role.DraupRole, role.Source,
                role.CreatedBy, role.TraceId, role.CreatedAt, role.UpdatedAt);
    }

    public async Task<JobDescriptionRecord?> FindJobDescriptionAsync(string companyRoleId, CancellationToken cancellationToken)
    {
        var jd = await db.JobDescriptions.AsNoTracking().SingleOrDefaultAsync(x => x.CompanyRoleId == companyRoleId, cancellationToken);
        return jd is null ? null : new JobDescriptionRecord(jd.CompanyRoleId, jd.Title, jd.Content, jd.Source, jd.CreatedAt, jd.UpdatedAt);
    }
}
