using Etter.BuildingBlocks.Persistence.Outbox;
using Etter.Orchestrator.History;
using Etter.Orchestrator.Saga;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Persistence;

/// <summary>The orchestrator's database: saga state, its outbox and its audit trail. Owned (and migrated) by the orchestrator.</summary>
public abstract class OrchestratorDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OnboardingState> Workflows => Set<OnboardingState>();

    public DbSet<OnboardingHistoryEntry> History => Set<OnboardingHistoryEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new OnboardingStateMap());
        modelBuilder.AddOutbox();
        modelBuilder.Entity<OnboardingHistoryEntry>(history =>
        {
            history.ToTable("onboarding_history");
            history.HasKey(x => x.Id);
            history.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            history.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            history.Property(x => x.At).HasColumnName("at");
            history.Property(x => x.Trigger).HasColumnName("trigger").HasMaxLength(64);
            history.Property(x => x.FromStatus).HasColumnName("from_status").HasMaxLength(32);
            history.Property(x => x.ToStatus).HasColumnName("to_status").HasMaxLength(32);
            history.Property(x => x.Step).HasColumnName("step").HasMaxLength(32);
            history.Property(x => x.StepStatus).HasColumnName("step_status").HasMaxLength(16);
            history.Property(x => x.Attempt).HasColumnName("attempt");
            history.Property(x => x.ErrorCode).HasColumnName("error_code").HasMaxLength(64);
            history.Property(x => x.ErrorMessage).HasColumnName("error_message");
            history.Property(x => x.Actor).HasColumnName("actor").HasMaxLength(256);
            history.HasIndex(x => new { x.WorkflowId, x.Id }).HasDatabaseName("ix_onboarding_history_workflow");
        });
    }
}
