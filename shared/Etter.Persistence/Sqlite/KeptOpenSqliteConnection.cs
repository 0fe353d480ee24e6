using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// A SQLite connection that stays open when EF Core closes it, so the statements <see cref="SqliteStatementCache"/> keeps
/// on it stay prepared from one unit of work (one lease of a pooled context) to the next. Disposing it closes it. Its
/// transactions on a file are part of the file's <see cref="SqliteWriteGroup"/>: they queue at the file's gate and run
/// on the group's writer connection; what it runs outside a transaction runs on itself.
/// </summary>
/// <remarks>
/// What a close must still do for the next user, it does: the transaction left open is rolled back, and every result
/// still being read is ended, so no statement keeps a read snapshot open into the next unit of work (SQLite would
/// otherwise serve that unit an old snapshot, and keep the WAL from being checkpointed past it).
/// </remarks>
public sealed class KeptOpenSqliteConnection : SqliteConnection
{
    /// <summary>Enough for every distinct statement a context runs on the hot path; rarer SQL runs unprepared past it.</summary>
    const int MemberStatements = 64;

    /// <summary>A group's writer runs the transactional statements of every context on its file.</summary>
    internal const int WriterStatements = 256;

    readonly Dictionary<string, KeptStatement> _statements = new(StringComparer.Ordinal);
    readonly int _maxStatements;
    readonly bool _groupsCommits;
    SqliteWriteGroup? _group;
    bool _groupLookedUp;
    SqliteGroupTransaction? _member;

    public KeptOpenSqliteConnection(string connectionString)
        : this(connectionString, MemberStatements, groupsCommits: true)
    {
    }

    internal KeptOpenSqliteConnection(string connectionString, int maxStatements, bool groupsCommits)
        : base(connectionString)
    {
        _maxStatements = maxStatements;
        _groupsCommits = groupsCommits;
    }

    /// <summary>Whether this connection's transactions run in its file's group (false for a group's own writer, or a database in memory).</summary>
    internal bool GroupsCommits => Group is not null;

    SqliteWriteGroup? Group
    {
        get
        {
            if (!_groupLookedUp)
            {
                _group = _groupsCommits ? SqliteWriteGroup.For(this) : null;
                _groupLookedUp = true;
            }

            return _group;
        }
    }

    /// <summary>The prepared statement for <paramref name="command"/>'s text with its parameters, or null if it cannot be used now.</summary>
    internal KeptStatement? Take(DbCommand command, SqliteTransaction? transaction)
    {
        if (State != ConnectionState.Open)
        {
            return null;
        }

        if (!_statements.TryGetValue(command.CommandText, out var statement))
        {
            if (_statements.Count >= _maxStatements)
            {
                return null;
            }

            statement = new KeptStatement(CreateCommand(), command.CommandText);
            _statements[command.CommandText] = statement;
        }

        // The same SQL again while its last result is still being read (a nested query): that one runs as EF Core built it.
        return statement.TryUse(command, transaction) ? statement : null;
    }

    /// <summary>Ends every result still being read through the kept statements.</summary>
    internal void EndReadings()
    {
        foreach (var statement in _statements.Values)
        {
            statement.EndReading();
        }
    }

    protected override DbCommand CreateDbCommand() =>
        new KeptOpenSqliteCommand { Connection = this, CommandTimeout = DefaultTimeout, Transaction = Transaction };

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel)
    {
        if (Group is not { } group)
        {
            return base.BeginDbTransaction(isolationLevel);
        }

        _member?.Dispose();
        group.Gate.Enter();
        return _member = group.Join(this);
    }

    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken)
    {
        if (Group is not { } group)
        {
            return base.BeginDbTransaction(isolationLevel);
        }

        // A transaction left behind by a dispose that raised nothing (a retried message does this) is over.
        _member?.Dispose();

        // Continues where the gate resumes it: on the file's thread when it had to wait (see SqliteFileGate).
        await group.Gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        return _member = group.Join(this);
    }

    /// <summary>Called by the connection's group transaction when it commits or rolls back.</summary>
    internal void Ended(SqliteGroupTransaction member)
    {
        if (ReferenceEquals(_member, member))
        {
            _member = null;
        }
    }

    public override void Close()
    {
        _member?.Dispose();
        Transaction?.Dispose();
        EndReadings();
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

    public bool TryUse(DbCommand from, SqliteTransaction? transaction)
    {
        if (_reader is { IsClosed: false })
        {
            return false;
        }

        _reader = null;
        command.CommandText = sql;
        command.Transaction = transaction;
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
