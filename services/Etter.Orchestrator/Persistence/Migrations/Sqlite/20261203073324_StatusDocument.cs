using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.Orchestrator.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StatusDocument : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "status_json",
                table: "onboarding_state",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "status_json",
                table: "onboarding_state");
        }
    }
}
