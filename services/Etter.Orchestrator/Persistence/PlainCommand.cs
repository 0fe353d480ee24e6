using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Etter.Orchestrator.Persistence;

/// <summary>
/// Hand-written SQL on the orchestrator context's connection and in its current transaction, for hot statements where EF
/// Core's query pipeline cost more than the statement (see <c>tests/Etter.Benchmarks/README.md</c>).
/// </summary>
internal static class PlainCommand
{
    /// <summary>A command on <paramref name="db"/>'s connection, opened if need be, enlisted in its transaction if one is open.</summary>
    public static async Task<DbCommand> CreateAsync(OrchestratorDbContext db, string sql, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>EF Core keeps Guids as upper-case text in SQLite; plain commands must write and match what EF reads back.</summary>
    public static object Guid(OrchestratorDbContext db, Guid value) =>
        db.Database.IsNpgsql() ? value : value.ToString().ToUpperInvariant();
}
