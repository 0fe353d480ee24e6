using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.Data.Sqlite;
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
        await using var db = Open("setup.db");
        await db.Database.OpenConnectionAsync();

        Assert.Equal(30_000L, await PragmaAsync(db, "busy_timeout"));

        // 1 is NORMAL: in WAL mode commits reach the WAL file (which outlives the process) and are synced at checkpoints.
        Assert.Equal(1L, await PragmaAsync(db, "synchronous"));
    }

    [Fact]
    public async Task ConnectionReopenedFromThePool_KeepsItsSettings()
    {
        // The settings are made once per native connection; a reopened one comes from Microsoft.Data.Sqlite's pool.
        await using var db = Open("pooled.db");
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        var first = connection.Handle;
        await db.Database.CloseConnectionAsync();

        for (var open = 0; open < 3; open++)
        {
            await db.Database.OpenConnectionAsync();
            Assert.Same(first, connection.Handle);
            Assert.Equal(30_000L, await PragmaAsync(db, "busy_timeout"));
            Assert.Equal(1L, await PragmaAsync(db, "synchronous"));
            await db.Database.CloseConnectionAsync();
        }

        // A connection that is not pooled is new on every open, and set up on every open.
        SqliteConnection.ClearAllPools();
        await db.Database.OpenConnectionAsync();
        Assert.Equal(1L, await PragmaAsync(db, "synchronous"));
    }

    /// <summary>A context on <paramref name="fileName"/> in this test's directory, set up as embedded mode sets up its own.</summary>
    SqliteWriteGateTests.NotesContext Open(string fileName) =>
        new(new DbContextOptionsBuilder<SqliteWriteGateTests.NotesContext>()
            .UseSqlite($"Data Source={Path.Combine(_directory.Path, fileName)}")
            .AddInterceptors(SqliteWriteGate.Instance, SqliteConnectionSetup.Instance)
            .Options);

    static async Task<long> PragmaAsync(DbContext db, string pragma)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
