using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.Orchestrator.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "onboarding_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workflow_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    from_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    to_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    step = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    step_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    attempt = table.Column<int>(type: "INTEGER", nullable: true),
                    error_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_onboarding_history", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "onboarding_state",
                columns: table => new
                {
                    workflow_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false),
                    company_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    role_name = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    draup_role_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    draup_role_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    batch_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    request_json = table.Column<string>(type: "TEXT", nullable: false),
                    role_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    jd_title = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    jd_markdown = table.Column<string>(type: "TEXT", nullable: true),
                    jd_source = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    assessment_engine = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    current_step = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    error_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    error_recoverable = table.Column<bool>(type: "INTEGER", nullable: true),
                    failed_step = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    final_score = table.Column<double>(type: "REAL", nullable: true),
                    assessment_json = table.Column<string>(type: "TEXT", nullable: true),
                    queued_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    role_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    retry_at = table.Column<long>(type: "INTEGER", nullable: true),
                    retry_step = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    step_deadline_at = table.Column<long>(type: "INTEGER", nullable: true),
                    heartbeat_deadline_at = table.Column<long>(type: "INTEGER", nullable: true),
                    workflow_deadline_at = table.Column<long>(type: "INTEGER", nullable: true),
                    next_deadline_at = table.Column<long>(type: "INTEGER", nullable: true),
                    cancel_reason = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    input_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    awaiting_admission = table.Column<bool>(type: "INTEGER", nullable: false),
                    trace_parent = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    admitted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    superseded_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    last_published_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    ai_assessment_attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    ai_assessment_attempts_this_run = table.Column<int>(type: "INTEGER", nullable: false),
                    ai_assessment_completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    ai_assessment_error_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ai_assessment_error_message = table.Column<string>(type: "TEXT", nullable: true),
                    ai_assessment_error_recoverable = table.Column<bool>(type: "INTEGER", nullable: true),
                    ai_assessment_skip_reason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ai_assessment_started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    ai_assessment_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    role_setup_attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    role_setup_attempts_this_run = table.Column<int>(type: "INTEGER", nullable: false),
                    role_setup_completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    role_setup_error_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    role_setup_error_message = table.Column<string>(type: "TEXT", nullable: true),
                    role_setup_error_recoverable = table.Column<bool>(type: "INTEGER", nullable: true),
                    role_setup_skip_reason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    role_setup_started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    role_setup_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_onboarding_state", x => x.workflow_id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_message",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workflow_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    destination = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    message_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    trace_parent = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_message", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_history_workflow",
                table: "onboarding_history",
                columns: new[] { "workflow_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_admission",
                table: "onboarding_state",
                columns: new[] { "awaiting_admission", "company_id", "queued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_batch",
                table: "onboarding_state",
                column: "batch_id");

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_company",
                table: "onboarding_state",
                columns: new[] { "company_id", "queued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_next_deadline",
                table: "onboarding_state",
                column: "next_deadline_at");

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_queued_at",
                table: "onboarding_state",
                columns: new[] { "queued_at", "workflow_id" });

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_role_key",
                table: "onboarding_state",
                columns: new[] { "role_key", "current_state" });

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_state",
                table: "onboarding_state",
                columns: new[] { "current_state", "queued_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "onboarding_history");

            migrationBuilder.DropTable(
                name: "onboarding_state");

            migrationBuilder.DropTable(
                name: "outbox_message");
        }
    }
}
