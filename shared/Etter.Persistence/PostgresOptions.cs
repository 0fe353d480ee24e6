using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Npgsql;

namespace Etter.Persistence;

/// <summary>PostgreSQL connection (<c>Etter:Postgres:ConnectionString</c>), used in distributed mode.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Etter:Postgres";

    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How many statements each connection keeps prepared on the server when the connection string does not say
    /// (Npgsql's <c>Max Auto Prepare</c>; Npgsql's own default, 0, prepares nothing). The hot path runs a few dozen
    /// distinct statements; the rest of the room is for the EF Core batches whose text varies with their size.
    /// </summary>
    public const int DefaultMaxAutoPrepare = 128;

    /// <summary>
    /// The connection string the services open: <see cref="ConnectionString"/> with two defaults added unless it sets
    /// them itself.
    /// <list type="bullet">
    /// <item><c>No Reset On Close=true</c>. Npgsql otherwise runs <c>DISCARD ALL</c> each time a pooled connection is
    /// reused, which here was one extra server transaction for every two real ones and threw away prepared
    /// statements. Etter leaves no session state behind (no SET, temp tables, LISTEN or session advisory locks; the
    /// admission lock is transaction-scoped), so there is nothing to reset.</item>
    /// <item><c>Max Auto Prepare</c> = <see cref="DefaultMaxAutoPrepare"/>. Every statement was parsed, analysed and
    /// planned again on each run: a quarter of PostgreSQL's CPU in a distributed benchmark. Once a statement has run
    /// a few times on a connection, Npgsql prepares it there and later runs send only its parameters.</item>
    /// </list>
    /// </summary>
    public string EffectiveConnectionString()
    {
        var given = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        var effective = new NpgsqlConnectionStringBuilder(ConnectionString);
        if (!Sets(given, "NoResetOnClose"))
        {
            effective.NoResetOnClose = true;
        }

        if (!Sets(given, "MaxAutoPrepare"))
        {
            effective.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        return effective.ConnectionString;
    }

    /// <summary>True when the operator's string names <paramref name="key"/>, however they spaced or cased it.</summary>
    static bool Sets(DbConnectionStringBuilder given, string key) =>
        given.Keys.Cast<string>().Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals(key, StringComparison.OrdinalIgnoreCase));
}
