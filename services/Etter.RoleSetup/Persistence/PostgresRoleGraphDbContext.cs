using Etter.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.Persistence;

/// <summary>The distributed (PostgreSQL) flavour; exists so PostgreSQL has migrations of its own.</summary>
public sealed class PostgresRoleGraphDbContext(DbContextOptions<PostgresRoleGraphDbContext> options) : RoleGraphDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.StoreOutboxUncompressed();
    }
}
