using Etter.Messaging.Outbox;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.AiAssessment.Persistence;

/// <summary>The AiAssessment service's own database: its run log (inbox) and outbox. Owned and migrated by this service.</summary>
public abstract class AssessmentDbContext(DbContextOptions options) : EtterDbContext(options)
{
    public DbSet<AssessmentRunEntity> Runs => Set<AssessmentRunEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<AssessmentRunEntity>(run =>
        {
            run.ToTable("assessment_run");
            run.HasKey(x => new { x.WorkflowId, x.Attempt });
            run.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            run.Property(x => x.Attempt).HasColumnName("attempt");
            run.Property(x => x.Status).HasColumnName("status").HasMaxLength(16);
            run.Property(x => x.Engine).HasColumnName("engine").HasMaxLength(32);
            run.Property(x => x.OutcomeJson).HasColumnName("outcome_json");
            run.Property(x => x.Worker).HasColumnName("worker").HasMaxLength(128);
            run.Property(x => x.StartedAt).HasColumnName("started_at");
            run.Property(x => x.HeartbeatAt).HasColumnName("heartbeat_at");
            run.Property(x => x.FinishedAt).HasColumnName("finished_at");
        });

        // Named for this service: it may share a PostgreSQL database with the others' outboxes.
        modelBuilder.AddOutbox("assessment_outbox");
    }
}

/// <summary>The embedded (SQLite) flavour; exists so SQLite has migrations of its own.</summary>
public sealed class SqliteAssessmentDbContext(DbContextOptions<SqliteAssessmentDbContext> options) : AssessmentDbContext(options);

/// <summary>The distributed (PostgreSQL) flavour; exists so PostgreSQL has migrations of its own.</summary>
public sealed class PostgresAssessmentDbContext(DbContextOptions<PostgresAssessmentDbContext> options) : AssessmentDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.StoreOutboxUncompressed();
    }
}
