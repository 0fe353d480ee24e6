using Etter.Persistence;
using Etter.Persistence.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Etter.ReadModel;

/// <summary>
/// Read-only view of the orchestrator's tables. It never migrates or writes: the orchestrator owns the schema.
/// One subclass per provider, because EF Core caches a model per context type and SQLite stores times differently.
/// </summary>
public abstract class WorkflowReadDbContext(DbContextOptions options) : EtterDbContext(options)
{
    public DbSet<WorkflowRecord> Workflows => Set<WorkflowRecord>();

    public DbSet<WorkflowHistoryRecord> History => Set<WorkflowHistoryRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<WorkflowRecord>(workflow =>
        {
            workflow.ToTable("onboarding_state", t => t.ExcludeFromMigrations());
            workflow.HasKey(x => x.WorkflowId);
            workflow.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            workflow.Property(x => x.CurrentState).HasColumnName("current_state");
            workflow.Property(x => x.CompanyId).HasColumnName("company_id");
            workflow.Property(x => x.RoleName).HasColumnName("role_name");
            workflow.Property(x => x.RoleKey).HasColumnName("role_key");
            workflow.Property(x => x.BatchId).HasColumnName("batch_id");
            workflow.Property(x => x.FailedStep).HasColumnName("failed_step");
            workflow.Property(x => x.QueuedAt).HasColumnName("queued_at");
            workflow.Property(x => x.AwaitingAdmission).HasColumnName("awaiting_admission");
            workflow.Property(x => x.AdmittedAt).HasColumnName("admitted_at");
            workflow.Property(x => x.StatusJson).HasColumnName("status_json");
        });
        modelBuilder.Entity<WorkflowHistoryRecord>(history =>
        {
            history.ToTable("onboarding_history", t => t.ExcludeFromMigrations());
            history.HasKey(x => x.Id);
            history.Property(x => x.Id).HasColumnName("id");
            history.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            history.Property(x => x.At).HasColumnName("at");
            history.Property(x => x.Trigger).HasColumnName("trigger");
            history.Property(x => x.FromStatus).HasColumnName("from_status");
            history.Property(x => x.ToStatus).HasColumnName("to_status");
            history.Property(x => x.Step).HasColumnName("step");
            history.Property(x => x.StepStatus).HasColumnName("step_status");
            history.Property(x => x.Attempt).HasColumnName("attempt");
            history.Property(x => x.ErrorCode).HasColumnName("error_code");
            history.Property(x => x.ErrorMessage).HasColumnName("error_message");
            history.Property(x => x.Actor).HasColumnName("actor");
        });
    }
}

/// <summary>The embedded (SQLite) flavour.</summary>
public sealed class SqliteWorkflowReadDbContext(DbContextOptions<SqliteWorkflowReadDbContext> options) : WorkflowReadDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        SqliteConventions.Apply(configurationBuilder);
}

/// <summary>The distributed (PostgreSQL) flavour.</summary>
public sealed class PostgresWorkflowReadDbContext(DbContextOptions<PostgresWorkflowReadDbContext> options) : WorkflowReadDbContext(options);
