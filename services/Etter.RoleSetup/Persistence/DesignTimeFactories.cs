using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Etter.RoleSetup.Persistence;

// Used only by `dotnet ef migrations add`; no connection is opened at design time.
sealed class SqliteRoleGraphDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRoleGraphDbContext>
{
    public SqliteRoleGraphDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteRoleGraphDbContext>().UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable("__ef_migrations_role_graph")).Options);
}

sealed class PostgresRoleGraphDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRoleGraphDbContext>
{
    public PostgresRoleGraphDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresRoleGraphDbContext>()
            .UseNpgsql("Host=localhost;Database=design", o => o.MigrationsHistoryTable("__ef_migrations_role_graph"))
            .Options);
}
