using System.Diagnostics;
using Etter.Benchmarks.Reporting;
using Etter.TestSupport;
using Npgsql;
using NpgsqlTypes;

namespace Etter.Benchmarks.Distributed;

/// <summary>
/// Raw PostgreSQL commit rate: one INSERT per transaction from N connections for a few seconds, into a
/// table of the scratch database. A regular table on purpose: temporary tables write no WAL, so their
/// commits never wait for a WAL flush and would overstate what a real commit costs.
/// </summary>
public static class PostgresCommitBaseline
{
    const string Table = "bench_commit_baseline";

    public static async Task<PostgresBaseline> RunAsync(ScratchEnvironment environment, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        await using (var setup = await environment.OpenDatabaseAsync(cancellationToken))
        {
            await using var create = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {Table} (id bigserial PRIMARY KEY, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())", setup);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var payload = new string('x', 200);
        long commits = 0;
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            await using var connection = await environment.OpenDatabaseAsync(cancellationToken);
            await using var insert = new NpgsqlCommand($"INSERT INTO {Table} (payload) VALUES (@payload)", connection);
            insert.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Text) { Value = payload });
            await insert.PrepareAsync(cancellationToken);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
                Interlocked.Increment(ref commits);
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        await using (var cleanup = await environment.OpenDatabaseAsync(cancellationToken))
        {
            await using var drop = new NpgsqlCommand($"DROP TABLE {Table}", cleanup);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        return new PostgresBaseline(connections, Math.Round(seconds, 2), commits, Math.Round(commits / seconds, 1), $"{Table} (regular, WAL-logged)");
    }
}
