using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Etter.Persistence.Sqlite;

/// <summary>Gives every SQLite context a <see cref="KeptOpenSqliteConnection"/> instead of the connection EF Core would create.</summary>
public sealed class KeptOpenConnections : DbConnectionInterceptor
{
    public static readonly KeptOpenConnections Instance = new();

    KeptOpenConnections()
    {
    }

    public override InterceptionResult<DbConnection> ConnectionCreating(ConnectionCreatingEventData eventData, InterceptionResult<DbConnection> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        return InterceptionResult<DbConnection>.SuppressWithResult(new KeptOpenSqliteConnection(eventData.ConnectionString!));
    }
}
