using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Etter.RoleSetup.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PostgresStorage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "role_setup_outbox")
                .Annotation("Npgsql:StorageParameter:toast_tuple_target", 8160);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "role_setup_outbox")
                .OldAnnotation("Npgsql:StorageParameter:toast_tuple_target", 8160);
        }
    }
}
