using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.AiAssessment.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddAssessmentOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "assessment_outbox",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workflow_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    destination = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    message_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    trace_parent = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    request_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assessment_outbox", x => x.sequence);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assessment_outbox");
        }
    }
}
