using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Etter.Orchestrator.Persistence;

/// <summary>The embedded (SQLite) flavour; exists so SQLite has migrations of its own.</summary>
public sealed class SqliteOrchestratorDbContext(DbContextOptions<SqliteOrchestratorDbContext> options) : OrchestratorDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // SQLite has no timestamp type: stored as text, times cannot be compared or ordered in SQL. As
        // sortable integers, deadline scans and newest-first listings run in the database, on an index.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
