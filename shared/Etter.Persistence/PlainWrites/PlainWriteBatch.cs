using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Persistence.PlainWrites;

/// <summary>
/// Plain writes of one unit of work, held back and sent to the database together as one ADO.NET batch: one round trip
/// where each statement took its own.
/// </summary>
/// <remarks>
/// <para>
/// A saga message on PostgreSQL writes its row, a history row and two or three outbox rows; sent one by one, each was a
/// round trip with its syscalls and wake-ups on both sides, and under load a wait for a core. A step service's inbox row
/// and outbox row are the same story. Npgsql sends a batch's statements back to back and reads their results as they
/// come, so the unit of work's writes cost one wait instead of four or five.
/// </para>
/// <para>
/// Only PostgreSQL takes part (its statements are written with its positional placeholders; see <see cref="EntityTable"/>).
/// SQLite has no round trip to save, runs each statement prepared on its connection, and writes immediately as before.
/// The contract is the immediate writes': a statement the database refuses throws <see cref="DbUpdateException"/>, a
/// conditional write that matched no row throws <see cref="DbUpdateConcurrencyException"/> (checked once the batch has
/// run, before anything is committed), and keys the database assigns are read back into their entities, all of them or,
/// when the batch fails, none. The statements bypass EF Core's command interceptors and logging, which see only
/// single commands; nothing of ours intercepts PostgreSQL commands.
/// </para>
/// </remarks>
internal sealed class PlainWriteBatch
{
    readonly List<Write> _writes = [];

    /// <summary>Whether <paramref name="db"/>'s writes can be held back for one batch: a provider with batches, in an open transaction.</summary>
    public static bool Takes(DbContext db) =>
        db.Database.CurrentTransaction is not null && db.RunsOnPostgres() && db.Database.GetDbConnection().CanCreateBatch;

    public bool IsEmpty => _writes.Count == 0;

    /// <summary>Holds back a statement that must change exactly one row.</summary>
    public void Add(EntityTable.Statement statement, Dictionary<string, object?> values, string description, Func<Exception> noRow) =>
        _writes.Add(new Write(statement, values, description, noRow, null));

    /// <summary>Holds back an insert that returns the key the database assigned, handed to <paramref name="setKey"/> once the whole batch has run.</summary>
    public void AddReturningKey(EntityTable.Statement statement, Dictionary<string, object?> values, string description, Action<object> setKey) =>
        _writes.Add(new Write(statement, values, description, null, setKey));

    /// <summary>Sends the held writes as one batch in <paramref name="db"/>'s transaction; the batch is empty afterwards, whatever happens.</summary>
    public async Task SendAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (_writes.Count == 0)
        {
            return;
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
            command.CommandText = write.Statement.Command.CommandText;
            foreach (var parameter in write.Statement.Command.Parameters)
            {
                parameter.AddDbParameter(binder, write.Values);
            }

            var bound = new DbParameter[binder.Parameters.Count];
            binder.Parameters.CopyTo(bound, 0);
            binder.Parameters.Clear();
            command.Parameters.AddRange(bound);
            batch.BatchCommands.Add(command);
        }

        var keys = new object?[writes.Length];
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

            // Only the inserts returning a key have result sets; the reader passes over the others.
            var first = true;
            for (var i = 0; i < writes.Length; i++)
            {
                if (writes[i].SetKey is null)
                {
                    continue;
                }

                if ((!first && !await reader.NextResultAsync(cancellationToken)) || !await reader.ReadAsync(cancellationToken))
                {
                    throw new DbUpdateException($"The database assigned no key to the inserted row ({writes[i].Description}).");
                }

                keys[i] = reader.GetValue(0);
                first = false;
            }
        }
        catch (DbException ex)
        {
            throw new DbUpdateException($"The database refused a batch of {writes.Length} writes ({Describe(writes)}): {ex.Message}", ex);
        }

        for (var i = 0; i < writes.Length; i++)
        {
            if (writes[i].NoRow is { } noRow && batch.BatchCommands[i].RecordsAffected != 1)
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
    }

    static string Describe(Write[] writes) => string.Join(", ", writes.Select(x => x.Description));

    sealed record Write(EntityTable.Statement Statement, Dictionary<string, object?> Values, string Description, Func<Exception>? NoRow, Action<object>? SetKey);
}
