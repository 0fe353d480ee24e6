using Etter.Persistence.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Persistence;

/// <summary>The embedded (SQLite) flavour; exists so SQLite has migrations of its own.</summary>
public sealed class SqliteOrchestratorDbContext(DbContextOptions<SqliteOrchestratorDbContext> options) : OrchestratorDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        SqliteConventions.Apply(configurationBuilder);
}
