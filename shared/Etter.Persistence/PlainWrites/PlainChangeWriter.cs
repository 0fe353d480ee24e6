using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Etter.Persistence.PlainWrites;

/// <summary>
/// Writes a context's tracked changes as plain statements in its open transaction: what <c>SaveChanges</c> would write,
/// without EF Core's update pipeline.
/// </summary>
/// <remarks>
/// <para>
/// Profiles of both modes put EF Core's <c>SaveChanges</c> at a fifth of all CPU, most of it not in the database: each
/// save sorts its changes into command batches, builds a modification command per row and a column modification per
/// value, and generates the SQL text again. The saga saves the same few shapes every time (one row inserted or updated,
/// a history row, outbox rows), so the statements are worked out once per shape (<see cref="EntityTable"/>) and only the
/// values are bound per save, through EF Core's own command execution (its type mappings make the parameters; its
/// interceptors, logging and diagnostics see the statements, and on SQLite the statement runs prepared on the connection).
/// </para>
/// <para>
/// The writes keep <c>SaveChanges</c>' contract where the callers rely on it: an update or delete that matched no row
/// (a concurrency token moved) throws <see cref="DbUpdateConcurrencyException"/>, a statement the database refused throws
/// <see cref="DbUpdateException"/> wrapping its error, and a key the database assigns is read back into the entity.
/// Rows are deleted, then updated, then inserted, so a unique value handed from one row to another in one save never
/// exists twice. Changes are not accepted here: the caller accepts them once they are committed. A context holding any
/// entity of a shape this writer does not take is not written at all (<see cref="TryWriteAsync"/> answers false) and the
/// caller saves it through EF Core.
/// </para>
/// </remarks>
public static class PlainChangeWriter
{
    /// <summary>
    /// Writes every added, modified and deleted entity of <paramref name="db"/> in its current transaction; false, having
    /// written nothing, when there is no transaction or an entity has a shape this writer does not take.
    /// </summary>
    public static async Task<bool> TryWriteAsync(DbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            return false;
        }

        var writes = new List<(EntityEntry Entry, EntityTable Table)>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                if (EntityTable.For(entry.Metadata, db) is not { } table)
                {
                    return false;
                }

                writes.Add((entry, table));
            }
        }

        var statements = new PlainStatements(db);
        var assigned = new List<(PropertyEntry Key, object? Temporary)>();
        try
        {
            // A stable order: rows of one state keep the order they were added in, so history entries and outbox rows get
            // their ids (the timeline's order, the relay's delivery order) in the order the saga wrote them.
            foreach (var (entry, table) in writes.OrderBy(static x => Order(x.Entry.State)))
            {
                await WriteAsync(statements, entry, table, assigned, cancellationToken);
            }
        }
        catch
        {
            // The transaction is rolled back; the entities go back to unsaved, so the same save can be tried again.
            foreach (var (key, temporary) in assigned)
            {
                key.CurrentValue = temporary;
                key.IsTemporary = true;
            }

            throw;
        }

        return true;
    }

    static async Task WriteAsync(PlainStatements statements, EntityEntry entry, EntityTable table, List<(PropertyEntry Key, object? Temporary)> assigned, CancellationToken cancellationToken)
    {
        if (Prepare(entry, table) is not var (statement, values, returnsKey))
        {
            return;
        }

        if ((entry.Context as EtterDbContext)?.HeldWrites is { } held)
        {
            var description = $"{Verb(entry.State)} of {entry.Metadata.DisplayName()}";
            if (returnsKey)
            {
                held.AddReturningKey(statement, values, description, value => AssignKey(entry, table, value, assigned));
            }
            else
            {
                held.Add(statement, values, description, () => ChangedSinceRead(entry));
            }

            return;
        }

        try
        {
            if (!returnsKey)
            {
                if (await statement.Command.ExecuteNonQueryAsync(statements.With(values), cancellationToken) != 1)
                {
                    throw ChangedSinceRead(entry);
                }

                return;
            }

            var value = await statement.Command.ExecuteScalarAsync(statements.With(values), cancellationToken);
            if (value is null or DBNull)
            {
                throw new DbUpdateException($"The database assigned no key to the inserted {entry.Metadata.DisplayName()} row.");
            }

            AssignKey(entry, table, value, assigned);
        }
        catch (DbException ex)
        {
            throw new DbUpdateException($"The database refused a write of {entry.Metadata.DisplayName()}: {ex.Message}", ex);
        }
    }

    static int Order(EntityState state) => state switch
    {
        EntityState.Deleted => 0,
        EntityState.Modified => 1,
        _ => 2,
    };

    static string Verb(EntityState state) => state switch
    {
        EntityState.Deleted => "delete",
        EntityState.Modified => "update",
        _ => "insert",
    };

    static DbUpdateConcurrencyException ChangedSinceRead(EntityEntry entry) =>
        new($"The {entry.Metadata.DisplayName()} row to {Verb(entry.State)} was changed or deleted since it was read.");

    /// <summary>
    /// The statement that writes <paramref name="entry"/>'s change and its values, and whether it returns a key the database
    /// assigned; null when a modified entry changed no column, so nothing is to be written.
    /// </summary>
    static (EntityTable.Statement Statement, Dictionary<string, object?> Values, bool ReturnsKey)? Prepare(EntityEntry entry, EntityTable table) => entry.State switch
    {
        EntityState.Added => PrepareInsert(entry, table),
        EntityState.Modified => PrepareUpdate(entry, table),
        _ => PrepareDelete(entry, table),
    };

    static (EntityTable.Statement, Dictionary<string, object?>, bool) PrepareInsert(EntityEntry entry, EntityTable table)
    {
        var keyFromDatabase = table.GeneratedKey is { } generated && entry.Property(generated.Property).IsTemporary;
        var statement = table.Insert(keyFromDatabase);
        var values = new Dictionary<string, object?>(statement.Parameters);
        var current = entry.CurrentValues;
        foreach (var column in table.Columns)
        {
            if (!(keyFromDatabase && column == table.GeneratedKey))
            {
                values[table.ParameterNames[values.Count]] = current[column.Property];
            }
        }

        return (statement, values, keyFromDatabase);
    }

    static (EntityTable.Statement, Dictionary<string, object?>, bool)? PrepareUpdate(EntityEntry entry, EntityTable table)
    {
        var current = entry.CurrentValues;
        var original = entry.OriginalValues;
        var changed = UInt128.Zero;
        for (var i = 0; i < table.Columns.Length; i++)
        {
            var column = table.Columns[i];
            if (!column.IsKey && !column.Comparer.Equals(current[column.Property], original[column.Property]))
            {
                changed |= UInt128.One << i;
            }
        }

        if (changed == UInt128.Zero)
        {
            return null;
        }

        var statement = table.Update(changed);
        var values = new Dictionary<string, object?>(statement.Parameters);
        for (var i = 0; i < table.Columns.Length; i++)
        {
            if ((changed & (UInt128.One << i)) != UInt128.Zero)
            {
                values[table.ParameterNames[values.Count]] = current[table.Columns[i].Property];
            }
        }

        AddConditions(values, table, original);
        return (statement, values, false);
    }

    static (EntityTable.Statement, Dictionary<string, object?>, bool) PrepareDelete(EntityEntry entry, EntityTable table)
    {
        var values = new Dictionary<string, object?>(table.Delete.Parameters);
        AddConditions(values, table, entry.OriginalValues);
        return (table.Delete, values, false);
    }

    /// <summary>The key the database assigned goes into the entry, remembered so that a failed save can take it back.</summary>
    static void AssignKey(EntityEntry entry, EntityTable table, object value, List<(PropertyEntry Key, object? Temporary)> assigned)
    {
        var keyEntry = entry.Property(table.GeneratedKey!.Property);
        assigned.Add((keyEntry, keyEntry.CurrentValue));
        keyEntry.CurrentValue = FromProvider(table.GeneratedKey, value);
        keyEntry.IsTemporary = false;
    }

    /// <summary>The row as it was read: its key, and its tokens at their original values.</summary>
    static void AddConditions(Dictionary<string, object?> values, EntityTable table, PropertyValues original)
    {
        foreach (var column in table.Keys.Concat(table.Tokens))
        {
            values[table.ParameterNames[values.Count]] = original[column.Property];
        }
    }

    static object? FromProvider(EntityTable.Column column, object value)
    {
        if (column.Mapping.Converter is { } converter)
        {
            return converter.ConvertFromProvider(value);
        }

        var type = Nullable.GetUnderlyingType(column.Property.ClrType) ?? column.Property.ClrType;
        return Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }
}
