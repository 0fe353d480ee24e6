using System.Collections.Concurrent;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Persistence.PlainWrites;

/// <summary>
/// The SQL that writes one entity type's rows, worked out once from EF Core's model: its table, its columns with the type
/// mappings EF Core would bind them with, its key and its concurrency tokens.
/// </summary>
/// <remarks>
/// Only the shapes the hot path has are taken: one table per type, no inheritance, no relationships, no owned or JSON
/// types, no value the database computes except an identity key. <see cref="For"/> answers null for anything else, and the
/// caller leaves that save to EF Core.
/// </remarks>
internal sealed class EntityTable
{
    /// <summary>Update statements are cached per set of changed columns, kept as bits; enough for the widest row we have.</summary>
    const int MaxColumns = 128;

    static readonly ConcurrentDictionary<IEntityType, EntityTable?> Tables = new();

    readonly ISqlGenerationHelper _sql;

    /// <summary>
    /// On PostgreSQL the statements use its own positional placeholders (<c>$1</c>, <c>$2</c>, ...) and unnamed parameters:
    /// Npgsql then sends the text as it is, where named ones had it parse every statement to rewrite them (its SQL parser
    /// was the largest single frame of the orchestrator's profile, 2.5 %).
    /// </summary>
    readonly bool _positional;
    readonly IRelationalCommandBuilderFactory _commands;
    readonly string _table;
    readonly ConcurrentDictionary<UInt128, Statement> _updates = new();
    readonly Statement?[] _inserts = new Statement?[2];

    EntityTable(string table, string? schema, Column[] columns, DbContext db)
    {
        _sql = db.GetService<ISqlGenerationHelper>();
        _positional = db.RunsOnPostgres();
        _commands = db.GetService<IRelationalCommandBuilderFactory>();
        _table = _sql.DelimitIdentifier(table, schema);
        Columns = columns;
        Keys = [.. columns.Where(x => x.IsKey)];
        Tokens = [.. columns.Where(x => x.IsConcurrencyToken && !x.IsKey)];
        GeneratedKey = Keys.SingleOrDefault(x => x.Property.ValueGenerated == ValueGenerated.OnAdd);
        ParameterNames = [.. Enumerable.Range(0, columns.Length + Keys.Length + Tokens.Length).Select(i => "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var where = new List<Column>();
        Delete = Build(new StringBuilder("DELETE FROM ").Append(_table).Append(" WHERE "), where, Conditions, matchesRead: true);
    }

    /// <summary>Every mapped column, complex types' included, in the model's order.</summary>
    public Column[] Columns { get; }

    public Column[] Keys { get; }

    /// <summary>Concurrency tokens other than the key: a write matches the row only while they hold their original values.</summary>
    public Column[] Tokens { get; }

    /// <summary>The key the database assigns on insert (an identity column), if any.</summary>
    public Column? GeneratedKey { get; }

    /// <summary>The invariant names of the parameters, by position: <c>p0</c>, <c>p1</c>, and so on.</summary>
    public string[] ParameterNames { get; }

    /// <summary>Deletes the row as it was read: its keys, then its tokens.</summary>
    public Statement Delete { get; }

    /// <summary>The write for <paramref name="type"/>, or null when its shape is not one this writer takes.</summary>
    public static EntityTable? For(IEntityType type, DbContext db) =>
        Tables.GetOrAdd(type, static (type, db) => Create(type, db), db);

    /// <summary>Every column but a generated key (when the database is to assign it), with the key read back.</summary>
    public Statement Insert(bool keyFromDatabase) =>
        _inserts[keyFromDatabase ? 1 : 0] ??= Build(new StringBuilder(), [], (sql, parameters) =>
        {
            var columns = Columns.Where(x => !(keyFromDatabase && x == GeneratedKey)).ToArray();
            sql.Append("INSERT INTO ").Append(_table).Append(" (").AppendJoin(", ", columns.Select(x => x.Name)).Append(") VALUES (");
            for (var i = 0; i < columns.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(Parameter(parameters, columns[i]));
            }

            sql.Append(')');
            if (keyFromDatabase)
            {
                sql.Append(" RETURNING ").Append(GeneratedKey!.Name);
            }
        });

    /// <summary>Sets the columns whose bits are in <paramref name="changed"/> (in column order), then matches keys and tokens.</summary>
    public Statement Update(UInt128 changed) =>
        _updates.GetOrAdd(changed, static (changed, table) => table.Build(new StringBuilder(), [], (sql, parameters) =>
        {
            sql.Append("UPDATE ").Append(table._table).Append(" SET ");
            for (var i = 0; i < table.Columns.Length; i++)
            {
                if ((changed & (UInt128.One << i)) != UInt128.Zero)
                {
                    sql.Append(parameters.Count == 0 ? "" : ", ").Append(table.Columns[i].Name).Append(" = ").Append(table.Parameter(parameters, table.Columns[i]));
                }
            }

            sql.Append(" WHERE ");
            table.Conditions(sql, parameters);
        }, matchesRead: true), this);

    /// <summary>
    /// A new command reading <paramref name="columns"/> of the row whose key parts are the parameters, in key order; not
    /// cached here, since a command that returns a reader keeps that reader.
    /// </summary>
    public IRelationalCommand SelectByKey(IReadOnlyList<Column> columns)
    {
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", columns.Select(x => x.Name)).Append(" FROM ").Append(_table).Append(" WHERE ");
        var parameters = new List<Column>();
        foreach (var key in Keys)
        {
            sql.Append(parameters.Count == 0 ? "" : " AND ").Append(key.Name).Append(" = ").Append(Parameter(parameters, key));
        }

        return Build(sql, parameters, static (_, _) => { }).Command;
    }

    void Conditions(StringBuilder sql, List<Column> parameters)
    {
        var first = true;
        foreach (var column in Keys.Concat(Tokens))
        {
            sql.Append(first ? "" : " AND ").Append(column.Name).Append(" = ").Append(Parameter(parameters, column));
            first = false;
        }
    }

    /// <summary>The placeholder of the next parameter, which carries <paramref name="column"/>'s value.</summary>
    string Parameter(List<Column> parameters, Column column)
    {
        parameters.Add(column);
        return _positional
            ? "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : _sql.GenerateParameterNamePlaceholder(ParameterNames[parameters.Count - 1]);
    }

    /// <param name="matchesRead">
    /// The statement matches the row as it was read (an update or delete), so it may match none: on PostgreSQL it also gets
    /// a guarded form for a batch that carries its own commit (<see cref="PlainWriteBatch"/>).
    /// </param>
    Statement Build(StringBuilder sql, List<Column> parameters, Action<StringBuilder, List<Column>> write, bool matchesRead = false)
    {
        write(sql, parameters);
        var text = sql.ToString();
        return new Statement(
            Command(text, parameters),
            parameters.Count,
            matchesRead && _positional ? Command(PlainWriteBatch.Guarded(text), parameters) : null);
    }

    IRelationalCommand Command(string text, List<Column> parameters)
    {
        var command = _commands.Create().Append(text);
        for (var i = 0; i < parameters.Count; i++)
        {
            command.AddParameter(ParameterNames[i], _positional ? "" : _sql.GenerateParameterName(ParameterNames[i]), parameters[i].Mapping, parameters[i].Property.IsNullable);
        }

        return command.Build();
    }

    static EntityTable? Create(IEntityType type, DbContext db)
    {
        var table = type.GetTableName();
        if (table is null
            || type.BaseType is not null
            || type.GetDirectlyDerivedTypes().Any()
            || type.IsOwned()
            || type.GetForeignKeys().Any()
            || type.GetReferencingForeignKeys().Any()
            || type.GetNavigations().Any()
            || type.GetSkipNavigations().Any()
            || type.GetComplexProperties().Any(IsUnsupported))
        {
            return null;
        }

        var store = StoreObjectIdentifier.Table(table, type.GetSchema());
        var key = type.FindPrimaryKey();
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = new List<Column>();
        foreach (var property in type.GetFlattenedProperties())
        {
            var name = property.GetColumnName(store);
            var isKey = key?.Properties.Contains(property) == true;
            var generated = property.ValueGenerated != ValueGenerated.Never;
            if (name is null
                || property.GetComputedColumnSql() is not null
                || (generated && !(isKey && key!.Properties.Count == 1 && IsInteger(property.ClrType)))
                || (property.IsConcurrencyToken && property.IsNullable))
            {
                return null;
            }

            columns.Add(new Column(property, sql.DelimitIdentifier(name), property.GetRelationalTypeMapping(), property.GetValueComparer(), isKey, property.IsConcurrencyToken));
        }

        if (key is null || columns.Count > MaxColumns)
        {
            return null;
        }

        return new EntityTable(table, type.GetSchema(), [.. columns], db);
    }

    static bool IsUnsupported(IComplexProperty complex) =>
        complex.IsCollection || complex.ComplexType.IsMappedToJson() || complex.ComplexType.GetComplexProperties().Any(IsUnsupported);

    static bool IsInteger(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(int) || t == typeof(long) || t == typeof(short));

    /// <summary>One mapped column: where its value comes from and how EF Core binds it. Compared by reference (a record's
    /// member-wise equality showed in profiles, from finding the generated key among the columns).</summary>
    internal sealed class Column(IProperty property, string name, RelationalTypeMapping mapping, ValueComparer comparer, bool isKey, bool isConcurrencyToken)
    {
        public IProperty Property { get; } = property;

        public string Name { get; } = name;

        public RelationalTypeMapping Mapping { get; } = mapping;

        public ValueComparer Comparer { get; } = comparer;

        public bool IsKey { get; } = isKey;

        public bool IsConcurrencyToken { get; } = isConcurrencyToken;
    }

    /// <summary>
    /// A statement, built once, and how many values it takes (named by <see cref="ParameterNames"/> in order). An update or
    /// delete on PostgreSQL also has a <see cref="Guarded"/> form that fails when it matches no row.
    /// </summary>
    /// <remarks>
    /// Shared by every context and thread: EF Core's command keeps no state of its own while it writes or reads one value,
    /// which is all the writer asks of it. A command that returns a reader keeps that reader, so it must not be shared.
    /// </remarks>
    internal sealed record Statement(IRelationalCommand Command, int Parameters, IRelationalCommand? Guarded = null);
}
