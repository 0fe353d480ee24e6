using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.AiAssessment.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "assessment_run",
                columns: table => new
                {
                    workflow_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    engine = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    outcome_json = table.Column<string>(type: "TEXT", nullable: true),
                    worker = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assessment_run", x => new { x.workflow_id, x.attempt });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assessment_run");
        }
    }
}
