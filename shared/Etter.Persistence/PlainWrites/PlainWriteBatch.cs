using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Etter.Persistence.PlainWrites;

/// <summary>
/// Plain writes of one unit of work, held back and sent to the database together as one ADO.NET batch: one round trip
/// where each statement took its own, and with <see cref="SendAsync"/>'s <c>commit</c> the transaction's COMMIT in it too.
/// </summary>
/// <remarks>
/// <para>
/// A saga message on PostgreSQL writes its row, a history row and two or three outbox rows; sent one by one, each was a
/// round trip with its syscalls and wake-ups on both sides, and under load a wait for a core. A step service's inbox row
/// and outbox row are the same story. Npgsql sends a batch's statements back to back and reads their results as they
/// come, so the unit of work's writes cost one wait instead of four or five, and the commit none of its own.
/// </para>
/// <para>
/// Only PostgreSQL takes part (its statements are written with its positional placeholders; see <see cref="EntityTable"/>).
/// SQLite has no round trip to save, runs each statement prepared on its connection, and writes immediately as before.
/// The contract is the immediate writes': a statement the database refuses throws <see cref="DbUpdateException"/>, a
/// conditional write that matched no row throws <see cref="DbUpdateConcurrencyException"/>, and keys the database assigns
/// are read back into their entities, all of them or, when the batch fails, none. A batch that commits cannot check row
/// counts afterwards, so its updates and deletes go in their guarded form (<see cref="Guarded"/>), which fails inside the
/// batch when it matches no row: PostgreSQL then skips the rest, COMMIT included, and the transaction rolls back. The
/// statements bypass EF Core's command interceptors and logging, which see only single commands; nothing of ours
/// intercepts PostgreSQL commands.
/// </para>
/// </remarks>
internal sealed class PlainWriteBatch(bool guarded)
{
    /// <summary>What a guarded write that matched no row fails with, inside PostgreSQL's error about it.</summary>
    const string NoRowMatched = "etter: the row to write was changed or deleted since it was read";

    readonly List<Write> _writes = [];

    /// <summary>Whether <paramref name="db"/>'s writes can be held back for one batch: PostgreSQL, in an open transaction.</summary>
    public static bool Takes(DbContext db) =>
        db.Database.CurrentTransaction is not null && db.RunsOnPostgres() && db.Database.GetDbConnection().CanCreateBatch;

    /// <summary>
    /// <paramref name="statement"/> (an UPDATE or DELETE) made to fail when it matches no row, for a batch with its commit in
    /// it: the rows it wrote are counted, and a count other than one is cast to an integer from a text that is not one.
    /// PostgreSQL folds constants while planning, so the text must depend on the count to be cast only at run time.
    /// </summary>
    public static string Guarded(string statement) =>
        $"WITH written AS ({statement} RETURNING 1) SELECT CAST(CASE count(*) WHEN 1 THEN '1' ELSE '{NoRowMatched}' END AS integer) FROM written";

    /// <summary>Holds back a statement that must change exactly one row.</summary>
    public void Add(EntityTable.Statement statement, Dictionary<string, object?> values, string description, Func<Exception> noRow) =>
        _writes.Add(guarded && statement.Guarded is { } guard
            ? new Write(guard, values, description, noRow, null, Guarded: true, null, null)
            : new Write(statement.Command, values, description, noRow, null, Guarded: false, null, null));

    /// <summary>
    /// Holds back a statement written by hand, its parameters <c>$1</c>, <c>$2</c>, ... taking <paramref name="values"/> in
    /// order, whose rows written are not checked (an upsert).
    /// </summary>
    public void AddSql(string sql, object?[] values, string description) =>
        _writes.Add(new Write(null, null, description, null, null, Guarded: false, sql, values));

    /// <summary>Holds back an insert that returns the key the database assigned, handed to <paramref name="setKey"/> once the whole batch has run.</summary>
    public void AddReturningKey(EntityTable.Statement statement, Dictionary<string, object?> values, string description, Action<object> setKey) =>
        _writes.Add(new Write(statement.Command, values, description, null, setKey, Guarded: false, null, null));

    /// <summary>
    /// Sends the held writes as one batch in <paramref name="db"/>'s transaction, with its COMMIT last when
    /// <paramref name="commit"/> (the batch must then have held its writes guarded). True when a batch was sent; the batch is
    /// empty afterwards, whatever happens.
    /// </summary>
    public async Task<bool> SendAsync(DbContext db, bool commit, CancellationToken cancellationToken)
    {
        if (_writes.Count == 0)
        {
            return false;
        }

        if (commit && !guarded)
        {
            throw new InvalidOperationException("A batch that commits must hold its writes guarded: its row counts are seen only after the commit.");
        }

        var writes = _writes.ToArray();
        _writes.Clear();
        var connection = db.Database.GetDbConnection();
        await using var batch = connection.CreateBatch();
        batch.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A batch of plain writes is sent only inside the transaction it was made in.");
        if (db.Database.GetCommandTimeout() is { } timeout)
        {
            batch.Timeout = timeout;
        }

        // EF Core's parameters bind their values to a command; the batch's commands take them over from this one.
        await using var binder = connection.CreateCommand();
        foreach (var write in writes)
        {
            var command = batch.CreateBatchCommand();
            if (write.Command is null)
            {
                command.CommandText = write.Sql!;
                foreach (var value in write.SqlValues!)
                {
                    var parameter = binder.CreateParameter();
                    parameter.Value = value ?? DBNull.Value;
                    binder.Parameters.Add(parameter);
                }
            }
            else
            {
                command.CommandText = write.Command.CommandText;
                foreach (var parameter in write.Command.Parameters)
                {
                    parameter.AddDbParameter(binder, write.Values);
                }
            }

            var bound = new DbParameter[binder.Parameters.Count];
            binder.Parameters.CopyTo(bound, 0);
            binder.Parameters.Clear();
            command.Parameters.AddRange(bound);
            batch.BatchCommands.Add(command);
        }

        if (commit)
        {
            var end = batch.CreateBatchCommand();
            end.CommandText = "COMMIT";
            batch.BatchCommands.Add(end);
        }

        var keys = new object?[writes.Length];
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

            // Only the inserts returning a key and the guarded writes have result sets; the reader passes over the others.
            var first = true;
            for (var i = 0; i < writes.Length; i++)
            {
                if (writes[i] is { SetKey: null, Guarded: false })
                {
                    continue;
                }

                if ((!first && !await reader.NextResultAsync(cancellationToken)) || !await reader.ReadAsync(cancellationToken))
                {
                    throw new DbUpdateException($"The database returned no result for a write ({writes[i].Description}).");
                }

                keys[i] = reader.GetValue(0);
                first = false;
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidTextRepresentation && ex.MessageText.Contains(NoRowMatched, StringComparison.Ordinal))
        {
            // Npgsql does not say which statement failed; the first guarded write names the row (on the hot path the only one
            // guarded is the saga row the message read).
            throw Array.Find(writes, x => x.Guarded)!.NoRow!();
        }
        catch (DbException ex)
        {
            throw new DbUpdateException($"The database refused a batch of {writes.Length} writes ({Describe(writes)}): {ex.Message}", ex);
        }

        for (var i = 0; i < writes.Length; i++)
        {
            if (writes[i] is { Guarded: false, NoRow: { } noRow } && batch.BatchCommands[i].RecordsAffected != 1)
            {
                throw noRow();
            }
        }

        for (var i = 0; i < writes.Length; i++)
        {
            if (writes[i].SetKey is { } setKey)
            {
                setKey(keys[i] is { } key and not DBNull ? key : throw new DbUpdateException($"The database assigned no key to the inserted row ({writes[i].Description})."));
            }
        }

        return true;
    }

    static string Describe(Write[] writes) => string.Join(", ", writes.Select(x => x.Description));

    /// <summary>One held write: an EF Core command with its values by name, or SQL written by hand with its values by position.</summary>
    sealed record Write(IRelationalCommand? Command, Dictionary<string, object?>? Values, string Description, Func<Exception>? NoRow, Action<object>? SetKey, bool Guarded, string? Sql, object?[]? SqlValues);
}
