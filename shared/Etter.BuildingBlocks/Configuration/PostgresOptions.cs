using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Npgsql;

namespace Etter.BuildingBlocks.Configuration;

/// <summary>PostgreSQL connection (<c>Etter:Postgres:ConnectionString</c>), used in distributed mode.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Etter:Postgres";

    /// <summary>
    /// Statements Npgsql prepares on each connection once they repeat, unless the connection string sets
    /// <c>Max Auto Prepare</c> itself. Every workflow runs the same few dozen statements, and the benchmark
    /// showed PostgreSQL spending as much CPU per workflow as all our services together; a prepared
    /// statement skips parsing and planning.
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;

    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>The connection string with our defaults for what it leaves unset.</summary>
    public string EffectiveConnectionString()
    {
        var given = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return ConnectionString;
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ConnectionString;
    }
}
