using System.Collections.Concurrent;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Orchestrator.Persistence;

/// <summary>
/// Hand-written SQL on the orchestrator context's connection and in its current transaction, for hot statements where EF
/// Core's query pipeline cost more than the statement (see <c>tests/Etter.Benchmarks/README.md</c>).
/// </summary>
/// <remarks>
/// The statements still run through EF Core's command execution, so its interceptors see them: on SQLite the statement
/// cache runs each on the statement its connection keeps prepared. Sent to the connection directly, a push's facts and
/// its slot claim were parsed and planned again on every push, inside the transaction that holds orchestrator.db.
/// </remarks>
internal static class PlainCommand
{
    // Per builder factory: a context configured otherwise (another provider, a test's options) gets commands of its own.
    static readonly ConcurrentDictionary<(IRelationalCommandBuilderFactory Factory, string Sql), IRelationalCommand> Commands = new();

    /// <summary>Reads the results of <paramref name="sql"/>; the caller disposes the reader.</summary>
    /// <remarks>
    /// A command of its own per read: EF Core's command hands out one reader object it keeps and reuses, so two
    /// concurrent reads through one shared command would read through the same reader (seen as failed pushes on
    /// PostgreSQL, where saga messages run side by side). Building one costs a string and a list; the SQL is the same,
    /// so on SQLite it still runs on the connection's prepared statement.
    /// </remarks>
    public static Task<RelationalDataReader> ReadAsync(OrchestratorDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken) =>
        Build(db.GetService<IRelationalCommandBuilderFactory>(), sql, parameters, db.GetService<IRelationalTypeMappingSource>())
            .ExecuteReaderAsync(With(db, parameters), cancellationToken);

    /// <returns>The rows the statement changed.</returns>
    public static Task<int> ExecuteAsync(OrchestratorDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken) =>
        For(db, sql, parameters).ExecuteNonQueryAsync(With(db, parameters), cancellationToken);

    public static Task<object?> ScalarAsync(OrchestratorDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken) =>
        For(db, sql, parameters).ExecuteScalarAsync(With(db, parameters), cancellationToken);

    /// <summary>EF Core keeps Guids as upper-case text in SQLite; plain commands must write and match what EF reads back.</summary>
    public static object Guid(OrchestratorDbContext db, Guid value) =>
        db.RunsOnPostgres() ? value : value.ToString().ToUpperInvariant();

    /// <summary>
    /// The command for <paramref name="sql"/> that writes or reads one value, built once (such a run keeps no state in the
    /// command); its parameters are named <c>@name</c> in the SQL.
    /// </summary>
    static IRelationalCommand For(OrchestratorDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters) =>
        Commands.GetOrAdd(
            (db.GetService<IRelationalCommandBuilderFactory>(), sql),
            static (key, state) => Build(key.Factory, key.Sql, state.parameters, state.types),
            (parameters, types: db.GetService<IRelationalTypeMappingSource>()));

    /// <summary>Each parameter typed by its value: a statement's parameters keep their types from call to call.</summary>
    static IRelationalCommand Build(IRelationalCommandBuilderFactory factory, string sql, IReadOnlyDictionary<string, object?> parameters, IRelationalTypeMappingSource types)
    {
        var builder = factory.Create().Append(sql);
        foreach (var (name, value) in parameters)
        {
            var type = value?.GetType() ?? throw new ArgumentException($"Parameter {name} of a plain command is null; give it a typed value.", nameof(parameters));
            var mapping = types.FindMapping(type) ?? throw new ArgumentException($"No database type for parameter {name} ({type.Name}).", nameof(parameters));
            builder.AddParameter(name, "@" + name, mapping, nullable: false);
        }

        return builder.Build();
    }

    static RelationalCommandParameterObject With(OrchestratorDbContext db, IReadOnlyDictionary<string, object?> parameters) =>
        new(db.GetService<IRelationalConnection>(), parameters, readerColumns: null, db, db.GetService<IRelationalCommandDiagnosticsLogger>());
}
