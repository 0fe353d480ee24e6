using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.Orchestrator.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LeanHotPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "destination",
                table: "outbox_message",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(256)",
                oldMaxLength: 256,
                oldNullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "request_id",
                table: "outbox_message",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "admission_slot",
                table: "onboarding_state",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "duplicate_of",
                table: "onboarding_state",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "in_flight_key",
                table: "onboarding_state",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "pending_step",
                table: "onboarding_state",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "admission_slot",
                columns: table => new
                {
                    company_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    slot = table.Column<int>(type: "integer", nullable: false),
                    workflow_id = table.Column<Guid>(type: "uuid", nullable: true)
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

            migrationBuilder.AlterColumn<string>(
                name: "destination",
                table: "outbox_message",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(512)",
                oldMaxLength: 512,
                oldNullable: true);
        }
    }
}
