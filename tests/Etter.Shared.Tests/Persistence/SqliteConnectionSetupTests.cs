using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Etter.Shared.Tests.Persistence;

/// <summary>What every SQLite connection of embedded mode is set to before it is used.</summary>
public sealed class SqliteConnectionSetupTests : IDisposable
{
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task OpenedConnection_WaitsForOtherWritersAndDoesNotSyncEachCommit()
    {
        var options = new DbContextOptionsBuilder<SqliteWriteGateTests.NotesContext>()
            .UseSqlite($"Data Source={Path.Combine(_directory.Path, "setup.db")}")
            .AddInterceptors(SqliteWriteGate.Instance, SqliteConnectionSetup.Instance)
            .Options;
        await using var db = new SqliteWriteGateTests.NotesContext(options);
        await db.Database.OpenConnectionAsync();

        Assert.Equal(30_000L, await PragmaAsync(db, "busy_timeout"));

        // 1 is NORMAL: in WAL mode commits reach the WAL file (which outlives the process) and are synced at checkpoints.
        Assert.Equal(1L, await PragmaAsync(db, "synchronous"));
    }

    static async Task<long> PragmaAsync(DbContext db, string pragma)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
