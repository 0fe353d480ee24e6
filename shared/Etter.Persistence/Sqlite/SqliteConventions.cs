using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Etter.Persistence.Sqlite;

/// <summary>Storage conventions every SQLite context of Etter shares, so writers and readers of a file agree.</summary>
public static class SqliteConventions
{
    public static void Apply(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // SQLite has no timestamp type: stored as text, times cannot be compared or ordered in SQL. As
        // sortable integers, deadline scans and newest-first listings run in the database, on an index.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
