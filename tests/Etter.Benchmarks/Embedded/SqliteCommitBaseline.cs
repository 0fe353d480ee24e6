using System.Diagnostics;
using Etter.Benchmarks.Reporting;
using Microsoft.Data.Sqlite;

namespace Etter.Benchmarks.Embedded;

/// <summary>
/// Raw SQLite single-row commit rate on the same disk, journal mode (WAL) and connection settings as the
/// embedded stores: the ceiling for anything that commits to one SQLite file.
/// </summary>
public static class SqliteCommitBaseline
{
    public static async Task<SqliteBaseline> RunAsync(string directory, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "baseline.db");
        var connectionString = $"Data Source={path};Default Timeout=30";
        await using (var setup = new SqliteConnection(connectionString))
        {
            await setup.OpenAsync(cancellationToken);
            await using var command = setup.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, at TEXT NOT NULL);";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var payload = new string('x', 200);
        long commits = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO bench_commit (payload, at) VALUES ($payload, $at)";
            var p = insert.Parameters.Add("$payload", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Text);
            p.Value = payload;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                at.Value = DateTimeOffset.UtcNow.ToString("O");
                await insert.ExecuteNonQueryAsync(cancellationToken);
                Interlocked.Increment(ref commits);
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        SqliteConnection.ClearAllPools();
        return new SqliteBaseline(connections, Math.Round(seconds, 2), commits, Math.Round(commits / seconds, 1), "wal");
    }
}
