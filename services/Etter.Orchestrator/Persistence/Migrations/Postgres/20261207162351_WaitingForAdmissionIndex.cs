using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.Orchestrator.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WaitingForAdmissionIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_onboarding_state_admission",
                table: "onboarding_state");

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_admission",
                table: "onboarding_state",
                columns: new[] { "company_id", "queued_at" },
                filter: "awaiting_admission AND current_state = 'Queued'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_onboarding_state_admission",
                table: "onboarding_state");

            migrationBuilder.CreateIndex(
                name: "ix_onboarding_state_admission",
                table: "onboarding_state",
                columns: new[] { "awaiting_admission", "company_id", "queued_at" });
        }
    }
}
