using Etter.Messaging.Outbox;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.Persistence;

/// <summary>
/// The relational role graph (company roles and the job descriptions linked to them) with RoleSetup's inbox and
/// outbox, so one transaction covers all three. Owned by RoleSetup.
/// </summary>
public abstract class RoleGraphDbContext(DbContextOptions options) : EtterDbContext(options)
{
    public DbSet<CompanyRoleEntity> CompanyRoles => Set<CompanyRoleEntity>();

    public DbSet<JobDescriptionEntity> JobDescriptions => Set<JobDescriptionEntity>();

    public DbSet<ProcessedCommandEntity> ProcessedCommands => Set<ProcessedCommandEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<CompanyRoleEntity>(role =>
        {
            role.ToTable("company_role");
            role.HasKey(x => x.Id);
            role.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
            role.Property(x => x.CompanyName).HasColumnName("company_name").HasMaxLength(256);
            role.Property(x => x.RoleName).HasColumnName("role_name").HasMaxLength(512);
            role.Property(x => x.DraupRoleId).HasColumnName("draup_role_id").HasMaxLength(128);
            role.Property(x => x.DraupRole).HasColumnName("draup_role").HasMaxLength(256);
            role.Property(x => x.Source).HasColumnName("source").HasMaxLength(64);
            role.Property(x => x.CreatedBy).HasColumnName("created_by").HasMaxLength(256);
            role.Property(x => x.TraceId).HasColumnName("trace_id").HasMaxLength(64);
            role.Property(x => x.CreatedAt).HasColumnName("created_at");
            role.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            role.HasIndex(x => x.CompanyName).HasDatabaseName("ix_company_role_company");
            role.HasOne(x => x.JobDescription)
                .WithOne()
                .HasForeignKey<JobDescriptionEntity>(x => x.CompanyRoleId)
                .OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<JobDescriptionEntity>(jd =>
        {
            jd.ToTable("job_description");
            jd.HasKey(x => x.CompanyRoleId);
            jd.Property(x => x.CompanyRoleId).HasColumnName("company_role_id").HasMaxLength(64);
            jd.Property(x => x.Title).HasColumnName("title").HasMaxLength(512);
            jd.Property(x => x.Content).HasColumnName("content");
            jd.Property(x => x.Source).HasColumnName("source").HasMaxLength(64);
            jd.Property(x => x.CreatedAt).HasColumnName("created_at");
            jd.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        });
        modelBuilder.Entity<ProcessedCommandEntity>(inbox =>
        {
            inbox.ToTable("role_setup_inbox");
            inbox.HasKey(x => new { x.WorkflowId, x.Attempt });
            inbox.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            inbox.Property(x => x.Attempt).HasColumnName("attempt");
            inbox.Property(x => x.ResultJson).HasColumnName("result_json");
            inbox.Property(x => x.ProcessedAt).HasColumnName("processed_at");
        });

        // Named for this service: it may share a PostgreSQL database with the others' outboxes.
        modelBuilder.AddOutbox("role_setup_outbox");
    }
}
