using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Etter.AiAssessment.Persistence;

// Used only by `dotnet ef migrations add`; no connection is opened at design time.
sealed class SqliteAssessmentDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAssessmentDbContext>
{
    public SqliteAssessmentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAssessmentDbContext>().UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable("__ef_migrations_assessment")).Options);
}

sealed class PostgresAssessmentDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAssessmentDbContext>
{
    public PostgresAssessmentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAssessmentDbContext>()
            .UseNpgsql("Host=localhost;Database=design", o => o.MigrationsHistoryTable("__ef_migrations_assessment"))
            .Options);
}
