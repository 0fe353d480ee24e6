using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Persistence.PlainWrites;

/// <summary>
/// Reads one entity type's rows into plain objects and writes them back, without EF Core's change tracker: the caller keeps
/// a copy of the row as read and hands both back to write what changed.
/// </summary>
/// <remarks>
/// <para>
/// The saga's row is read and written once per message, and it is wide (some sixty columns, complex types included).
/// Tracked, every load built an entry, an identity-map slot and a snapshot of each value, and every save walked all of
/// them again to find the changes: together the largest EF Core items of the embedded profile. Here the row is read
/// with a reader compiled once from EF Core's model (its type mappings, value converters and comparers, so values come
/// back and compare as EF Core's would), and written with <see cref="EntityTable"/>'s statements.
/// </para>
/// <para>
/// The contract is <see cref="PlainChangeWriter"/>'s: an update or delete that matches no row (a concurrency token moved)
/// throws <see cref="DbUpdateConcurrencyException"/>; a statement the database refused throws <see cref="DbUpdateException"/>
/// wrapping its error. Columns without a CLR property (shadow columns) are not read; an
/// <see cref="EtterDbContext"/> derives their values from the entity for every write (<see cref="EtterDbContext.DerivedValueOf"/>).
/// <see cref="For"/> answers null for any shape this does not take (a shadow column nothing derives, a complex type without
/// a parameterless constructor), and the caller tracks that type as before.
/// </para>
/// </remarks>
public sealed class PlainRows<TEntity>
    where TEntity : class
{
    static readonly ConcurrentDictionary<IEntityType, PlainRows<TEntity>?> ByType = new();

    static readonly MethodInfo IsDbNull = typeof(DbDataReader).GetMethod(nameof(DbDataReader.IsDBNull), [typeof(int)])!;

    readonly EntityTable _table;
    readonly EntityTable.Column[] _selected;
    readonly Func<DbDataReader, TEntity> _materialize;
    readonly Func<TEntity, TEntity> _copy;
    readonly Func<TEntity, TEntity, bool>?[] _differs;
    readonly Func<TEntity, object?>?[] _values;
    readonly Func<object, object?>?[] _derived;
    readonly UInt128 _derivedColumns;
    readonly Action<TEntity, object?>? _setGeneratedKey;
    readonly Func<TEntity, object?>? _generatedKey;
    readonly Func<TEntity, object?>[] _conditions;
    readonly ConcurrentBag<IRelationalCommand> _selects = [];

    PlainRows(EntityTable table, EntityTable.Column[] selected, Func<DbDataReader, TEntity> materialize, Func<TEntity, TEntity> copy,
        Func<TEntity, TEntity, bool>?[] differs, Func<TEntity, object?>?[] values, Func<object, object?>?[] derived, Action<TEntity, object?>? setGeneratedKey)
    {
        _setGeneratedKey = setGeneratedKey;
        _table = table;
        _selected = selected;
        _materialize = materialize;
        _copy = copy;
        _differs = differs;
        _values = values;
        _derived = derived;

        // Worked out once: the values a write matches the row by (keys, then tokens), and the key the database may assign.
        _conditions = [.. table.Keys.Concat(table.Tokens).Select(x => values[Array.IndexOf(table.Columns, x)]!)];
        _generatedKey = table.GeneratedKey is { } generated ? values[Array.IndexOf(table.Columns, generated)] : null;
        for (var i = 0; i < derived.Length; i++)
        {
            if (derived[i] is not null)
            {
                _derivedColumns |= UInt128.One << i;
            }
        }
    }

    /// <summary>The reader and writer of <typeparamref name="TEntity"/> in <paramref name="db"/>'s model, or null when its shape is not one this takes.</summary>
    public static PlainRows<TEntity>? For(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Model.FindEntityType(typeof(TEntity)) is { } type
            ? ByType.GetOrAdd(type, static (type, db) => Create(type, db), db)
            : null;
    }

    /// <summary>The row with <paramref name="key"/>, read on the context's connection (in its transaction, if one is open); null when there is none.</summary>
    public Task<TEntity?> FindAsync(DbContext db, object key, CancellationToken cancellationToken) => FindAsync(db, [key], cancellationToken);

    /// <summary>The row whose key parts are <paramref name="key"/>, in the primary key's order; null when there is none.</summary>
    public async Task<TEntity?> FindAsync(DbContext db, IReadOnlyList<object> key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Count != _table.Keys.Length)
        {
            throw new ArgumentException($"A {typeof(TEntity).Name} key has {_table.Keys.Length} parts; {key.Count} given.", nameof(key));
        }

        var command = _selects.TryTake(out var kept) ? kept : _table.SelectByKey(_selected);
        try
        {
            var values = new Dictionary<string, object?>(key.Count);
            for (var i = 0; i < key.Count; i++)
            {
                values[_table.ParameterNames[i]] = key[i];
            }

            await using var reader = await command.ExecuteReaderAsync(new PlainStatements(db).With(values, CommandSource.Unknown), cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? _materialize(reader.DbDataReader) : null;
        }
        finally
        {
            _selects.Add(command);
        }
    }

    /// <summary>A separate copy of every mapped value of <paramref name="entity"/>, complex types included: the row as read.</summary>
    public TEntity Copy(TEntity entity) => _copy(entity);

    /// <summary>Whether any mapped value but the key differs between the two, by the comparers EF Core would use.</summary>
    public bool HasChanged(TEntity current, TEntity original) => Changes(current, original) != UInt128.Zero;

    /// <summary>
    /// Inserts <paramref name="entity"/> as a new row in the context's open transaction. A key the database assigns (an
    /// identity column) is taken from the database when the entity's is unset, and read back into the entity.
    /// </summary>
    public async Task InsertAsync(DbContext db, TEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var generated = _generatedKey is { } key && IsUnset(key(entity));
        var statement = _table.Insert(keyFromDatabase: generated);
        var values = new Dictionary<string, object?>(statement.Parameters);
        for (var i = 0; i < _table.Columns.Length; i++)
        {
            if (!(generated && _table.Columns[i] == _table.GeneratedKey))
            {
                values[_table.ParameterNames[values.Count]] = ValueOf(i, entity);
            }
        }

        if (!generated)
        {
            await RunAsync(db, statement, values, "insert", cancellationToken);
            return;
        }

        if ((db as EtterDbContext)?.HeldWrites is { } held)
        {
            held.AddReturningKey(statement, values, $"insert of a {typeof(TEntity).Name} row", key => _setGeneratedKey!(entity, key));
            return;
        }

        object? assigned;
        try
        {
            assigned = await statement.Command.ExecuteScalarAsync(new PlainStatements(db).With(values), cancellationToken);
        }
        catch (DbException ex)
        {
            throw new DbUpdateException($"The database refused the insert of a {typeof(TEntity).Name} row: {ex.Message}", ex);
        }

        _setGeneratedKey!(entity, assigned is null or DBNull
            ? throw new DbUpdateException($"The database assigned no key to the inserted {typeof(TEntity).Name} row.")
            : assigned);
    }

    static bool IsUnset(object? key) => key is null || Convert.ToInt64(key, System.Globalization.CultureInfo.InvariantCulture) == 0;

    /// <summary>
    /// Writes the values of <paramref name="current"/> that differ from <paramref name="original"/> (and the derived columns
    /// with them) to the row as it was read: its key, and its concurrency tokens at their original values. False, having
    /// written nothing, when nothing differs.
    /// </summary>
    public async Task<bool> UpdateAsync(DbContext db, TEntity current, TEntity original, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var changed = Changes(current, original);
        if (changed == UInt128.Zero)
        {
            return false;
        }

        changed |= _derivedColumns;
        var statement = _table.Update(changed);
        var values = new Dictionary<string, object?>(statement.Parameters);
        for (var i = 0; i < _table.Columns.Length; i++)
        {
            if ((changed & (UInt128.One << i)) != UInt128.Zero)
            {
                values[_table.ParameterNames[values.Count]] = ValueOf(i, current);
            }
        }

        AddConditions(values, original);
        await RunAsync(db, statement, values, "update", cancellationToken);
        return true;
    }

    /// <summary>Deletes the row as it was read (<paramref name="original"/>: its key and concurrency tokens).</summary>
    public async Task DeleteAsync(DbContext db, TEntity original, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var values = new Dictionary<string, object?>(_table.Delete.Parameters);
        AddConditions(values, original);
        await RunAsync(db, _table.Delete, values, "delete", cancellationToken);
    }

    UInt128 Changes(TEntity current, TEntity original)
    {
        var changed = UInt128.Zero;
        for (var i = 0; i < _differs.Length; i++)
        {
            if (_differs[i] is { } differs && differs(current, original))
            {
                changed |= UInt128.One << i;
            }
        }

        return changed;
    }

    object? ValueOf(int column, TEntity entity) => _values[column] is { } value ? value(entity) : _derived[column]!(entity);

    void AddConditions(Dictionary<string, object?> values, TEntity original)
    {
        foreach (var condition in _conditions)
        {
            values[_table.ParameterNames[values.Count]] = condition(original);
        }
    }

    static async Task RunAsync(DbContext db, EntityTable.Statement statement, Dictionary<string, object?> values, string write, CancellationToken cancellationToken)
    {
        if ((db as EtterDbContext)?.HeldWrites is { } held)
        {
            held.Add(statement, values, $"{write} of a {typeof(TEntity).Name} row", () => ChangedSinceRead(write));
            return;
        }

        int rows;
        try
        {
            rows = await statement.Command.ExecuteNonQueryAsync(new PlainStatements(db).With(values), cancellationToken);
        }
        catch (DbException ex)
        {
            throw new DbUpdateException($"The database refused the {write} of a {typeof(TEntity).Name} row: {ex.Message}", ex);
        }

        if (rows != 1)
        {
            throw ChangedSinceRead(write);
        }
    }

    static DbUpdateConcurrencyException ChangedSinceRead(string write) =>
        new($"The {typeof(TEntity).Name} row to {write} was changed or deleted since it was read.");

    static PlainRows<TEntity>? Create(IEntityType type, DbContext db)
    {
        if (EntityTable.For(type, db) is not { } table
            || type.ClrType != typeof(TEntity)
            || typeof(TEntity).GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }

        var complexTypes = ComplexTypesOf(type);
        if (complexTypes.Any(x => x.ComplexProperty.PropertyInfo is not { CanRead: true, CanWrite: true } || x.ClrType.IsValueType || x.ClrType.GetConstructor(Type.EmptyTypes) is null))
        {
            return null;
        }

        var columns = table.Columns;
        var differs = new Func<TEntity, TEntity, bool>?[columns.Length];
        var values = new Func<TEntity, object?>?[columns.Length];
        var derived = new Func<object, object?>?[columns.Length];
        var selected = new List<EntityTable.Column>();
        var current = Expression.Parameter(typeof(TEntity), "current");
        var original = Expression.Parameter(typeof(TEntity), "original");
        for (var i = 0; i < columns.Length; i++)
        {
            var property = columns[i].Property;
            if (property.IsShadowProperty())
            {
                if ((db as EtterDbContext)?.DerivedValueOf(property) is not { } derive)
                {
                    return null;
                }

                derived[i] = derive;
                continue;
            }

            if (property.PropertyInfo is not { CanRead: true, CanWrite: true })
            {
                return null;
            }

            selected.Add(columns[i]);
            values[i] = Expression.Lambda<Func<TEntity, object?>>(Expression.Convert(Access(current, property), typeof(object)), current).Compile();
            if (!columns[i].IsKey)
            {
                var equal = columns[i].Comparer.ExtractEqualsBody(Access(current, property), Access(original, property));
                differs[i] = Expression.Lambda<Func<TEntity, TEntity, bool>>(Expression.Not(equal), current, original).Compile();
            }
        }

        return new PlainRows<TEntity>(table, [.. selected], Materializer(selected, complexTypes), Copier(selected, complexTypes), differs, values, derived,
            table.GeneratedKey is { } key ? KeySetter(key) : null);
    }

    /// <summary>Sets the key the database assigned, converted from what the provider returned (a long, say, for an int key).</summary>
    static Action<TEntity, object?> KeySetter(EntityTable.Column key)
    {
        var entity = Expression.Parameter(typeof(TEntity), "entity");
        var value = Expression.Parameter(typeof(object), "value");
        var type = key.Property.ClrType;
        var converted = key.Mapping.Converter is { } converter
            ? (Expression)Expression.Convert(Expression.Invoke(converter.ConvertFromProviderExpression, Expression.Convert(Expression.Call(typeof(Convert), nameof(Convert.ChangeType), null, value, Expression.Constant(converter.ProviderClrType), Expression.Constant(System.Globalization.CultureInfo.InvariantCulture)), converter.ProviderClrType)), type)
            : Expression.Convert(Expression.Call(typeof(Convert), nameof(Convert.ChangeType), null, value, Expression.Constant(Nullable.GetUnderlyingType(type) ?? type), Expression.Constant(System.Globalization.CultureInfo.InvariantCulture)), type);
        return Expression.Lambda<Action<TEntity, object?>>(Expression.Assign(Access(entity, key.Property), converted), entity, value).Compile();
    }

    /// <summary>Builds the entity from a reader positioned on a row of <paramref name="selected"/>, in that order.</summary>
    static Func<DbDataReader, TEntity> Materializer(List<EntityTable.Column> selected, List<IComplexType> complexTypes)
    {
        var reader = Expression.Parameter(typeof(DbDataReader), "reader");
        var entity = Expression.Variable(typeof(TEntity), "entity");
        var body = new List<Expression> { Expression.Assign(entity, Expression.New(typeof(TEntity))) };
        body.AddRange(complexTypes.Select(x => EnsureCreated(entity, x)));
        for (var ordinal = 0; ordinal < selected.Count; ordinal++)
        {
            var property = selected[ordinal].Property;
            body.Add(Expression.Assign(Access(entity, property), ReadValue(reader, ordinal, selected[ordinal].Mapping, property)));
        }

        body.Add(entity);
        return Expression.Lambda<Func<DbDataReader, TEntity>>(Expression.Block([entity], body), reader).Compile();
    }

    static Func<TEntity, TEntity> Copier(List<EntityTable.Column> selected, List<IComplexType> complexTypes)
    {
        var source = Expression.Parameter(typeof(TEntity), "source");
        var copy = Expression.Variable(typeof(TEntity), "copy");
        var body = new List<Expression> { Expression.Assign(copy, Expression.New(typeof(TEntity))) };
        body.AddRange(complexTypes.Select(x => EnsureCreated(copy, x)));
        body.AddRange(selected.Select(x => Expression.Assign(Access(copy, x.Property), Access(source, x.Property))));
        body.Add(copy);
        return Expression.Lambda<Func<TEntity, TEntity>>(Expression.Block([copy], body), source).Compile();
    }

    /// <summary>The value at <paramref name="ordinal"/>, read, converted and made null as EF Core's own materializer does.</summary>
    static Expression ReadValue(ParameterExpression reader, int ordinal, RelationalTypeMapping mapping, IProperty property)
    {
        var position = Expression.Constant(ordinal);
        Expression value = mapping.CustomizeDataReaderExpression(Expression.Call(reader, mapping.GetDataReaderMethod(), position));
        var converter = mapping.Converter;
        var providerType = converter?.ProviderClrType ?? mapping.ClrType;
        if (value.Type != providerType)
        {
            value = Expression.Convert(value, providerType);
        }

        if (converter is not null)
        {
            value = Expression.Invoke(converter.ConvertFromProviderExpression, value);
        }

        if (value.Type != property.ClrType)
        {
            value = Expression.Convert(value, property.ClrType);
        }

        return property.IsNullable || !property.ClrType.IsValueType
            ? Expression.Condition(Expression.Call(reader, IsDbNull, position), Expression.Default(property.ClrType), value)
            : value;
    }

    /// <summary><paramref name="entity"/>'s <paramref name="property"/>, through the complex properties that hold it.</summary>
    static MemberExpression Access(Expression entity, IProperty property) =>
        Expression.Property(Holder(entity, property.DeclaringType), property.PropertyInfo!);

    static Expression Holder(Expression entity, ITypeBase declaringType) => declaringType is IComplexType complex
        ? Expression.Property(Holder(entity, complex.ComplexProperty.DeclaringType), complex.ComplexProperty.PropertyInfo!)
        : entity;

    /// <summary>A complex property left null by the constructor gets a new instance, so its values have somewhere to go.</summary>
    static Expression EnsureCreated(Expression entity, IComplexType complex)
    {
        var holder = Holder(entity, complex);
        return Expression.IfThen(Expression.Equal(holder, Expression.Constant(null, holder.Type)), Expression.Assign(holder, Expression.New(complex.ClrType)));
    }

    /// <summary>Every complex type of <paramref name="type"/>, outer ones before those they hold.</summary>
    static List<IComplexType> ComplexTypesOf(ITypeBase type)
    {
        var found = new List<IComplexType>();
        foreach (var complex in type.GetComplexProperties())
        {
            found.Add(complex.ComplexType);
            found.AddRange(ComplexTypesOf(complex.ComplexType));
        }

        return found;
    }
}
