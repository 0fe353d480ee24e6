using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Etter.Persistence.Sqlite;

/// <summary>
/// The command a <see cref="KeptOpenSqliteConnection"/> creates: it takes a group transaction
/// (<see cref="SqliteGroupTransaction"/>), which a plain <see cref="SqliteCommand"/> refuses, and runs in it on the
/// group's writer connection; and a write outside any transaction runs as a transaction of its own in the group.
/// </summary>
/// <remarks>
/// <see cref="SqliteStatementCache"/> runs most statements on prepared ones before they get here; what reaches these
/// methods is what it would not take: a nested query, SQL past a full cache, or a write outside a transaction. A write
/// outside a transaction that returns rows (<c>INSERT ... RETURNING</c>) still runs bare: the group could not commit it
/// before its rows are read. EF Core's saves, the one source of those, always open a transaction on SQLite
/// (<see cref="EtterDbContext"/>).
/// </remarks>
internal sealed class KeptOpenSqliteCommand : SqliteCommand
{
    SqliteGroupTransaction? _member;
    SqliteCommand? _standIn;

    /// <summary>The group transaction the command runs in, if it runs in one.</summary>
    internal SqliteGroupTransaction? Member => _member;

    protected override DbTransaction? DbTransaction
    {
        get => _member ?? base.DbTransaction;
        set
        {
            _member = value as SqliteGroupTransaction;
            base.DbTransaction = _member is null ? value : null;
        }
    }

    /// <summary>Whether the command writes outside any transaction, on a connection whose writes go through its file's group.</summary>
    internal bool WritesAlone =>
        _member is null && base.DbTransaction is null && Connection is KeptOpenSqliteConnection { GroupsCommits: true } && IsWrite(CommandText);

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
        _member is not null ? StandIn().ExecuteReader(behavior) : base.ExecuteDbDataReader(behavior);

    protected override Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        _member is not null ? Task.FromResult<DbDataReader>(StandIn().ExecuteReader(behavior)) : base.ExecuteDbDataReaderAsync(behavior, cancellationToken);

    public override object? ExecuteScalar() =>
        _member is not null ? StandIn().ExecuteScalar()
        : WritesAlone ? Alone(static standIn => standIn.ExecuteScalar())
        : base.ExecuteScalar();

    public override int ExecuteNonQuery() =>
        _member is not null ? StandIn().ExecuteNonQuery()
        : WritesAlone ? Alone(static standIn => standIn.ExecuteNonQuery())
        : base.ExecuteNonQuery();

    /// <summary>
    /// Runs a write that came without a transaction as a transaction of its own in the group. Left bare, it would wait
    /// on SQLite's lock for as long as the group keeps its transaction open, which under load is nearly always.
    /// </summary>
    T Alone<T>(Func<SqliteCommand, T> execute)
    {
        using var alone = (SqliteGroupTransaction)((DbConnection)Connection!).BeginTransaction();
        _member = alone;
        try
        {
            var result = execute(StandIn());
            alone.Commit();
            return result;
        }
        finally
        {
            _member = null;
        }
    }

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        if (!WritesAlone)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ExecuteNonQuery();
        }

        var alone = (SqliteGroupTransaction)await ((DbConnection)Connection!).BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (alone.ConfigureAwait(false))
        {
            _member = alone;
            try
            {
                var rows = StandIn().ExecuteNonQuery();
                await alone.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                return rows;
            }
            finally
            {
                _member = null;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _standIn?.Dispose();
            _standIn = null;
        }

        base.Dispose(disposing);
    }

    SqliteCommand StandIn()
    {
        _standIn?.Dispose();
        return _standIn = _member!.Group.StandIn(this);
    }

    /// <summary>Whether the statement's first word, past blanks and comments, makes it a write.</summary>
    internal static bool IsWrite(string sql)
    {
        var span = sql.AsSpan();
        while (true)
        {
            span = span.TrimStart();
            if (span.StartsWith("--", StringComparison.Ordinal))
            {
                var end = span.IndexOf('\n');
                span = end < 0 ? [] : span[(end + 1)..];
            }
            else if (span.StartsWith("/*", StringComparison.Ordinal))
            {
                var end = span.IndexOf("*/", StringComparison.Ordinal);
                span = end < 0 ? [] : span[(end + 2)..];
            }
            else
            {
                break;
            }
        }

        return span.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || span.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || span.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)
            || span.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }
}
