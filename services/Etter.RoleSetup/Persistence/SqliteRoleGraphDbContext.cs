using Microsoft.EntityFrameworkCore;

namespace Etter.RoleSetup.Persistence;

/// <summary>The embedded (SQLite) flavour; exists so SQLite has migrations of its own.</summary>
public sealed class SqliteRoleGraphDbContext(DbContextOptions<SqliteRoleGraphDbContext> options) : RoleGraphDbContext(options);
