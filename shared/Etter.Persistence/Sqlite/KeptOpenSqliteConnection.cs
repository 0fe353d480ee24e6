using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// A SQLite connection that stays open when EF Core closes it, so the statements <see cref="SqliteStatementCache"/> keeps
/// on it stay prepared from one unit of work (one lease of a pooled context) to the next. Disposing it closes it.
/// </summary>
/// <remarks>
/// What a close must still do for the next user, it does: the transaction left open is rolled back, and every result
/// still being read is ended, so no statement keeps a read snapshot open into the next unit of work (SQLite would
/// otherwise serve that unit an old snapshot, and keep the WAL from being checkpointed past it).
/// </remarks>
public sealed class KeptOpenSqliteConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>Enough for every distinct statement a context runs on the hot path; rarer SQL runs unprepared past it.</summary>
    const int MaxStatements = 64;

    readonly Dictionary<string, KeptStatement> _statements = new(StringComparer.Ordinal);

    /// <summary>The prepared statement for <paramref name="command"/>'s text with its parameters, or null if it cannot be used now.</summary>
    internal KeptStatement? Take(DbCommand command)
    {
        if (State != System.Data.ConnectionState.Open)
        {
            return null;
        }

        if (!_statements.TryGetValue(command.CommandText, out var statement))
        {
            if (_statements.Count >= MaxStatements)
            {
                return null;
            }

            statement = new KeptStatement(CreateCommand(), command.CommandText);
            _statements[command.CommandText] = statement;
        }

        // The same SQL again while its last result is still being read (a nested query): that one runs as EF Core built it.
        return statement.TryUse(command) ? statement : null;
    }

    public override void Close()
    {
        Transaction?.Dispose();
        foreach (var statement in _statements.Values)
        {
            statement.EndReading();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _statements.Clear();
            base.Close();
        }

        base.Dispose(disposing);
    }
}

/// <summary>One prepared statement of a <see cref="KeptOpenSqliteConnection"/>, and the result it is being read through.</summary>
internal sealed class KeptStatement(SqliteCommand command, string sql)
{
    DbDataReader? _reader;

    public bool TryUse(DbCommand from)
    {
        if (_reader is { IsClosed: false })
        {
            return false;
        }

        _reader = null;
        command.CommandText = sql;
        command.Transaction = (SqliteTransaction?)from.Transaction;
        command.CommandTimeout = from.CommandTimeout;
        command.Parameters.Clear();
        foreach (SqliteParameter parameter in from.Parameters)
        {
            // EF Core's own parameters: they carry the types its mappings chose (a Guid as text, for one).
            command.Parameters.Add(parameter);
        }

        return true;
    }

    /// <summary>The prepared command, carrying the parameters of the command it stands in for.</summary>
    public SqliteCommand Command => command;

    /// <summary>Records the result being read through the statement, so the statement is not reused before it ends.</summary>
    public DbDataReader Reading(DbDataReader reader) => _reader = reader;

    /// <summary>Ends a result nobody finished reading, which would keep the statement, and its snapshot, open.</summary>
    public void EndReading()
    {
        _reader?.Dispose();
        _reader = null;
    }
}
