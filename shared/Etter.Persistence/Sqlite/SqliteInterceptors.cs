using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Etter.Persistence.Sqlite;

/// <summary>What every embedded (SQLite) context runs with; see each interceptor for why.</summary>
public static class SqliteInterceptors
{
    public static IInterceptor[] All { get; } =
        [SqliteWriteGate.Instance, SqliteConnectionSetup.Instance, KeptOpenConnections.Instance, SqliteStatementCache.Instance];
}
