using Etter.Persistence;
using Etter.RoleSetup.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.RoleGraph;

/// <summary>
/// The default role graph: two tables (company_role, job_description) on SQLite or PostgreSQL.
/// Upserts tolerate a concurrent insert of the same key by re-reading and updating.
/// </summary>
public sealed class RelationalRoleGraph(RoleGraphDbContext db) : IRoleGraph
{
    // Compiled once: role_setup runs both upserts' reads for every workflow.
    static readonly CompiledQuery<Func<RoleGraphDbContext, string, CancellationToken, Task<CompanyRoleEntity?>>> CompanyRoleById = new(() =>
        EF.CompileAsyncQuery((RoleGraphDbContext db, string id, CancellationToken cancellationToken) =>
            db.CompanyRoles.SingleOrDefault(x => x.Id == id)));

    static readonly CompiledQuery<Func<RoleGraphDbContext, string, CancellationToken, Task<JobDescriptionEntity?>>> JobDescriptionByRole = new(() =>
        EF.CompileAsyncQuery((RoleGraphDbContext db, string companyRoleId, CancellationToken cancellationToken) =>
            db.JobDescriptions.SingleOrDefault(x => x.CompanyRoleId == companyRoleId)));

    public bool JoinsRoleSetupTransaction => true;

    public Task UpsertCompanyRoleAsync(CompanyRoleRecord role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(role);
        return UpsertAsync(
            () => CompanyRoleById.For(db)(db, role.Id, cancellationToken),
            () => db.CompanyRoles.Add(new CompanyRoleEntity
            {
                Id = role.Id,
                CompanyName = role.CompanyName,
                RoleName = role.RoleName,
                DraupRoleId = role.DraupRoleId,
                DraupRole = role.DraupRole,
                Source = role.Source,
                CreatedBy = role.CreatedBy,
                TraceId = role.TraceId,
                CreatedAt = role.CreatedAt,
                UpdatedAt = role.UpdatedAt,
            }),
            existing =>
            {
                existing.CompanyName = role.CompanyName;
                existing.RoleName = role.RoleName;
                existing.DraupRoleId = role.DraupRoleId ?? existing.DraupRoleId;
                existing.DraupRole = role.DraupRole ?? existing.DraupRole;
                existing.Source = role.Source;
                existing.TraceId = role.TraceId ?? existing.TraceId;
                existing.UpdatedAt = role.UpdatedAt;
            },
            cancellationToken);
    }

    public Task UpsertJobDescriptionAsync(JobDescriptionRecord jobDescription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobDescription);
        return UpsertAsync(
            () => JobDescriptionByRole.For(db)(db, jobDescription.CompanyRoleId, cancellationToken),
            () => db.JobDescriptions.Add(new JobDescriptionEntity
            {
                CompanyRoleId = jobDescription.CompanyRoleId,
                Title = jobDescription.Title,
                Content = jobDescription.Content,
                Source = jobDescription.Source,
                CreatedAt = jobDescription.CreatedAt,
                UpdatedAt = jobDescription.UpdatedAt,
            }),
            existing =>
            {
                existing.Title = jobDescription.Title;
                existing.Content = jobDescription.Content;
                existing.Source = jobDescription.Source;
                existing.UpdatedAt = jobDescription.UpdatedAt;
            },
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

    async Task UpsertAsync<TEntity>(
        Func<Task<TEntity?>> find,
        Action insert,
        Action<TEntity> update,
        CancellationToken cancellationToken)
        where TEntity : class
    {
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var existing = await find();
            if (existing is null)
            {
                insert();
            }
            else
            {
                update(existing);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (existing is null && attempt == 0)
            {
                // Someone inserted the same key between our read and write: read it again and update it. Inside
                // role_setup's transaction EF Core has rolled the failed insert back to the savepoint it took before
                // saving, so the transaction is still usable (PostgreSQL would otherwise reject every later statement).
            }
        }
    }
}
