using Etter.Onboarding;
using Etter.ReadModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Etter.Orchestrator.Saga;

/// <summary>Relational mapping of <see cref="OnboardingState"/>: one row per workflow, steps as column groups.</summary>
public sealed class OnboardingStateMap : IEntityTypeConfiguration<OnboardingState>
{
    // Lengths of the columns that keep what a requester sent; the saga clips to them (see OnboardingStateChanges.TakeRequest).
    public const int CompanyIdLength = 256;
    public const int RoleNameLength = 512;
    public const int DraupRoleIdLength = 128;
    public const int DraupRoleNameLength = 256;
    public const int RequestedByLength = 256;
    public const int CancelReasonLength = OnboardingRequestValidator.MaxCancelReasonLength;

    public void Configure(EntityTypeBuilder<OnboardingState> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable("onboarding_state");
        builder.HasKey(x => x.CorrelationId);
        builder.Property(x => x.CorrelationId).HasColumnName("workflow_id").ValueGeneratedNever();
        builder.Property(x => x.Version).HasColumnName("version").IsConcurrencyToken();
        builder.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(32);
        builder.Property(x => x.LastPublishedStatus).HasColumnName("last_published_status").HasMaxLength(32);
        builder.Property(x => x.Revision).HasColumnName("revision");
        builder.Property(x => x.CompanyId).HasColumnName("company_id").HasMaxLength(CompanyIdLength);
        builder.Property(x => x.RoleName).HasColumnName("role_name").HasMaxLength(RoleNameLength);
        builder.Property(x => x.DraupRoleId).HasColumnName("draup_role_id").HasMaxLength(DraupRoleIdLength);
        builder.Property(x => x.DraupRoleName).HasColumnName("draup_role_name").HasMaxLength(DraupRoleNameLength);
        builder.Property(x => x.RequestedBy).HasColumnName("requested_by").HasMaxLength(RequestedByLength);
        builder.Property(x => x.BatchId).HasColumnName("batch_id").HasMaxLength(64);
        builder.Property(x => x.RequestJson).HasColumnName("request_json");
        builder.Property(x => x.RoleId).HasColumnName("role_id").HasMaxLength(64);
        builder.Property(x => x.JobDescriptionTitle).HasColumnName("jd_title").HasMaxLength(512);
        builder.Property(x => x.JobDescriptionMarkdown).HasColumnName("jd_markdown");
        builder.Property(x => x.JobDescriptionSource).HasColumnName("jd_source").HasMaxLength(64);
        builder.Property(x => x.AssessmentEngine).HasColumnName("assessment_engine").HasMaxLength(32);
        builder.Property(x => x.CurrentStep).HasColumnName("current_step").HasMaxLength(32);
        builder.Property(x => x.ErrorCode).HasColumnName("error_code").HasMaxLength(64);
        builder.Property(x => x.ErrorMessage).HasColumnName("error_message");
        builder.Property(x => x.ErrorRecoverable).HasColumnName("error_recoverable");
        builder.Property(x => x.FailedStep).HasColumnName("failed_step").HasMaxLength(32);
        builder.Property(x => x.FinalScore).HasColumnName("final_score");
        builder.Property(x => x.AssessmentJson).HasColumnName("assessment_json");
        builder.Property(x => x.QueuedAt).HasColumnName("queued_at");
        builder.Property(x => x.StartedAt).HasColumnName("started_at");
        builder.Property(x => x.CompletedAt).HasColumnName("completed_at");
        builder.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        builder.Property(x => x.RoleKey).HasColumnName("role_key").HasMaxLength(64);
        builder.Property(x => x.CancelReason).HasColumnName("cancel_reason").HasMaxLength(CancelReasonLength);
        builder.Property(x => x.InputHash).HasColumnName("input_hash").HasMaxLength(64);
        builder.Property(x => x.SupersededBy).HasColumnName("superseded_by");
        builder.Property(x => x.AwaitingAdmission).HasColumnName("awaiting_admission");
        builder.Property(x => x.AdmittedAt).HasColumnName("admitted_at");
        builder.Property(x => x.AdmissionSlot).HasColumnName("admission_slot");
        builder.Property(x => x.PendingStep).HasColumnName("pending_step").HasMaxLength(32);
        builder.Property(x => x.InFlightKey).HasColumnName("in_flight_key").HasMaxLength(64);
        builder.Property(x => x.DuplicateOf).HasColumnName("duplicate_of");
        builder.Property(x => x.TraceParent).HasColumnName("trace_parent").HasMaxLength(64);
        builder.ComplexProperty(x => x.RoleSetup, step => MapStep(step, "role_setup"));
        builder.ComplexProperty(x => x.AiAssessment, step => MapStep(step, "ai_assessment"));
        builder.Property(x => x.NextDeadlineAt).HasColumnName("next_deadline_at");
        builder.ComplexProperty(x => x.Deadlines, deadlines =>
        {
            deadlines.Property(x => x.RetryAt).HasColumnName("retry_at");
            deadlines.Property(x => x.RetryStep).HasColumnName("retry_step").HasMaxLength(32);
            deadlines.Property(x => x.StepAt).HasColumnName("step_deadline_at");
            deadlines.Property(x => x.HeartbeatAt).HasColumnName("heartbeat_deadline_at");
            deadlines.Property(x => x.WorkflowAt).HasColumnName("workflow_deadline_at");
        });

        // Listing and search (newest first, by state or company) and the batch view.
        builder.HasIndex(x => new { x.QueuedAt, x.CorrelationId }).HasDatabaseName("ix_onboarding_state_queued_at");
        builder.HasIndex(x => new { x.CurrentState, x.QueuedAt }).HasDatabaseName("ix_onboarding_state_state");
        builder.HasIndex(x => new { x.CompanyId, x.QueuedAt }).HasDatabaseName("ix_onboarding_state_company");
        builder.HasIndex(x => x.BatchId).HasDatabaseName("ix_onboarding_state_batch");

        // The deadline sweeper's scan, and the in-flight lookup behind idempotent submit.
        builder.HasIndex(x => x.NextDeadlineAt).HasDatabaseName("ix_onboarding_state_next_deadline");
        builder.HasIndex(x => new { x.RoleKey, x.CurrentState }).HasDatabaseName("ix_onboarding_state_role_key");

        // One in-flight workflow per company role, enforced where concurrent pushes meet: the database.
        builder.HasIndex(x => x.InFlightKey).IsUnique().HasFilter("in_flight_key IS NOT NULL").HasDatabaseName("ux_onboarding_state_in_flight");

        // Only workflows waiting for a slot, which is none on the usual path (admitted at the push). Every push asks whether
        // its company has any. Through the state index that question read every version of every row ever queued still in
        // the index (0.21 ms a push under load, the costliest statement per call); an index whose filter is the question's
        // own condition answers it from one page, and PostgreSQL's planner can see that.
        builder.HasIndex(x => new { x.CompanyId, x.QueuedAt }, "ix_onboarding_state_admission")
            .HasFilter($"awaiting_admission AND current_state = '{WorkflowStates.Queued}'");
    }

    static void MapStep(ComplexPropertyBuilder<StepState> step, string prefix)
    {
        step.Property(x => x.Status).HasColumnName($"{prefix}_status").HasMaxLength(16);
        step.Property(x => x.Attempt).HasColumnName($"{prefix}_attempt");
        step.Property(x => x.AttemptsThisRun).HasColumnName($"{prefix}_attempts_this_run");
        step.Property(x => x.StartedAt).HasColumnName($"{prefix}_started_at");
        step.Property(x => x.CompletedAt).HasColumnName($"{prefix}_completed_at");
        step.Property(x => x.ErrorCode).HasColumnName($"{prefix}_error_code").HasMaxLength(64);
        step.Property(x => x.ErrorMessage).HasColumnName($"{prefix}_error_message");
        step.Property(x => x.ErrorRecoverable).HasColumnName($"{prefix}_error_recoverable");
        step.Property(x => x.SkipReason).HasColumnName($"{prefix}_skip_reason").HasMaxLength(64);
    }
}
