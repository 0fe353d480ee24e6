using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.AiAssessment.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PostgresStorage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "assessment_outbox")
                .Annotation("Npgsql:StorageParameter:toast_tuple_target", 8160);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "assessment_outbox")
                .OldAnnotation("Npgsql:StorageParameter:toast_tuple_target", 8160);
        }
    }
}
