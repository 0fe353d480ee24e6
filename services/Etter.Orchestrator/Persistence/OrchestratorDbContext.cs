using Etter.Messaging.Outbox;
using Etter.Orchestrator.Admission;
using Etter.Orchestrator.History;
using Etter.Orchestrator.Saga;
using Etter.Persistence;
using Etter.StatusStore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Etter.Orchestrator.Persistence;

/// <summary>The orchestrator's database: saga state, its outbox and its audit trail. Owned (and migrated) by the orchestrator.</summary>
public abstract class OrchestratorDbContext(DbContextOptions options) : EtterDbContext(options)
{
    /// <summary>
    /// The workflow's public status, as JSON, on its own row. Readers (the API, the CLI) serve it without knowing
    /// the saga's columns; a shadow property, so the saga instance stays plain data.
    /// </summary>
    public const string StatusJsonProperty = "StatusJson";

    public DbSet<OnboardingState> Workflows => Set<OnboardingState>();

    public DbSet<OnboardingHistoryEntry> History => Set<OnboardingHistoryEntry>();

    public DbSet<CompanySlot> Slots => Set<CompanySlot>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new OnboardingStateMap());
        modelBuilder.Entity<OnboardingState>().Property<string>(StatusJsonProperty).HasColumnName("status_json");
        modelBuilder.AddOutbox();
        modelBuilder.Entity<CompanySlot>(slot =>
        {
            slot.ToTable("admission_slot");
            slot.HasKey(x => new { x.CompanyId, x.Slot });
            slot.Property(x => x.CompanyId).HasColumnName("company_id").HasMaxLength(256);
            slot.Property(x => x.Slot).HasColumnName("slot").ValueGeneratedNever();
            slot.Property(x => x.WorkflowId).HasColumnName("workflow_id");
        });
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

    /// <summary>Every saga row written carries the status it now has, so the stored document never lags the row.</summary>
    protected override void FillDerivedColumns()
    {
        foreach (var entry in ChangeTracker.Entries<OnboardingState>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Property<string>(StatusJsonProperty).CurrentValue = StatusJsonOf(entry.Entity);
            }
        }
    }

    /// <summary>The same status document for saga rows written without the change tracker.</summary>
    protected override Func<object, object?>? DerivedValueOf(IProperty shadowProperty) =>
        shadowProperty?.DeclaringType.ClrType == typeof(OnboardingState) && shadowProperty.Name == StatusJsonProperty
            ? static saga => StatusJsonOf((OnboardingState)saga)
            : null;

    static string StatusJsonOf(OnboardingState saga) => StatusDocument.Serialize(OnboardingStatusSnapshot.From(saga));
}
