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
    /// The connection string the services open: <see cref="ConnectionString"/> with <c>No Reset On Close</c> on
    /// unless it says otherwise. Npgsql otherwise runs <c>DISCARD ALL</c> each time a pooled connection is reused,
    /// which here was one extra server transaction for every two real ones and threw away prepared plans. Etter
    /// leaves no session state behind (no SET, temp tables, LISTEN or session advisory locks; the admission lock is
    /// transaction-scoped), so there is nothing to reset.
    /// </summary>
    public string EffectiveConnectionString()
    {
        var given = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        var stated = given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("NoResetOnClose", StringComparison.OrdinalIgnoreCase));
        return stated ? ConnectionString : new NpgsqlConnectionStringBuilder(ConnectionString) { NoResetOnClose = true }.ConnectionString;
    }
}
