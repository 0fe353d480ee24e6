using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// Runs EF Core's SQLite commands on statements its connection keeps prepared (<see cref="KeptOpenSqliteConnection"/>).
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite prepares a command's SQL when it first runs and finalizes it when the command or the connection
/// closes, and EF Core builds a new command for every statement and closes its connection after every unit of work: so
/// every message parsed and planned all its SQL again. SQLite's parser was the largest single item of the embedded
/// benchmark's SQLite time. A command EF Core is about to run is swapped for the connection's statement of the same
/// text, with EF Core's own parameters, and EF Core reads the result as it would its own.
/// </remarks>
public sealed class SqliteStatementCache : DbCommandInterceptor
{
    public static readonly SqliteStatementCache Instance = new();

    SqliteStatementCache()
    {
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        Prepared(command) is { } kept ? InterceptionResult<DbDataReader>.SuppressWithResult(kept.Reading(await kept.Command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))) : result;

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Prepared(command) is { } kept ? InterceptionResult<DbDataReader>.SuppressWithResult(kept.Reading(kept.Command.ExecuteReader())) : result;

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        Prepared(command) is { } kept ? InterceptionResult<int>.SuppressWithResult(await kept.Command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false)) : result;

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Prepared(command) is { } kept ? InterceptionResult<int>.SuppressWithResult(kept.Command.ExecuteNonQuery()) : result;

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        Prepared(command) is { } kept ? InterceptionResult<object>.SuppressWithResult((await kept.Command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!) : result;

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Prepared(command) is { } kept ? InterceptionResult<object>.SuppressWithResult(kept.Command.ExecuteScalar()!) : result;

    /// <summary>The connection's prepared statement for <paramref name="command"/>'s text, carrying its parameters; null to run it as is.</summary>
    static KeptStatement? Prepared(DbCommand command) => command switch
    {
        // In a group transaction: the group's writer connection runs it.
        KeptOpenSqliteCommand { Member: { } member } => member.Group.Take(command),

        // A write outside a transaction goes through the group (the command itself sees to it).
        KeptOpenSqliteCommand { WritesAlone: true } => null,
        { Connection: KeptOpenSqliteConnection connection } => connection.Take(command, (SqliteTransaction?)command.Transaction),
        _ => null,
    };
}
