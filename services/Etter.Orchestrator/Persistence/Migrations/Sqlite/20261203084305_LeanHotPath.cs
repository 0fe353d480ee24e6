using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.Orchestrator.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LeanHotPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "request_id",
                table: "outbox_message",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "admission_slot",
                table: "onboarding_state",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "duplicate_of",
                table: "onboarding_state",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "in_flight_key",
                table: "onboarding_state",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "pending_step",
                table: "onboarding_state",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "admission_slot",
                columns: table => new
                {
                    company_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    slot = table.Column<int>(type: "INTEGER", nullable: false),
                    workflow_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_admission_slot", x => new { x.company_id, x.slot });
                });

            migrationBuilder.CreateIndex(
                name: "ux_onboarding_state_in_flight",
                table: "onboarding_state",
                column: "in_flight_key",
                unique: true,
                filter: "in_flight_key IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "admission_slot");

            migrationBuilder.DropIndex(
                name: "ux_onboarding_state_in_flight",
                table: "onboarding_state");

            migrationBuilder.DropColumn(
                name: "request_id",
                table: "outbox_message");

            migrationBuilder.DropColumn(
                name: "admission_slot",
                table: "onboarding_state");

            migrationBuilder.DropColumn(
                name: "duplicate_of",
                table: "onboarding_state");

            migrationBuilder.DropColumn(
                name: "in_flight_key",
                table: "onboarding_state");

            migrationBuilder.DropColumn(
                name: "pending_step",
                table: "onboarding_state");
        }
    }
}
