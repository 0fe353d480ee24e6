using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Etter.Benchmarks.Measurement;
using Etter.TestSupport;
using Npgsql;

namespace Etter.Benchmarks.Distributed;

/// <summary>Server-side counters of the scratch slice at one settled moment.</summary>
public sealed record CounterSnapshot(
    long Timestamp,
    long XactCommit,
    long XactRollback,
    long Published,
    long Delivered,
    long ErrorQueueMessages,
    long OwnStatements);

/// <summary>
/// PostgreSQL's transaction counters of the scratch database (pg_stat_database, read over a connection to
/// the servers' own database, so reading adds nothing) and RabbitMQ's message counters of the scratch vhost
/// (management API). Both are published late: a PostgreSQL backend flushes its statistics about a second
/// after it goes idle, or up to 10 s later when the statistics lock is contended; RabbitMQ emits statistics
/// every 5 s. A snapshot is therefore only taken once things have settled (<see cref="SettleAsync"/>).
/// The benchmark's own queries on the scratch database go through <see cref="ScratchAsync"/> (one
/// connection, no pool resets) and are counted, so they can be subtracted.
/// </summary>
public sealed class ServerCounters(ScratchEnvironment environment) : IAsyncDisposable
{
    static readonly TimeSpan MinimumSettle = TimeSpan.FromSeconds(11);
    static readonly TimeSpan BrokerQuiet = TimeSpan.FromSeconds(6.5);
    static readonly TimeSpan MaximumSettle = TimeSpan.FromSeconds(45);

    NpgsqlConnection? _admin;
    NpgsqlConnection? _scratch;
    long _ownStatements;

    /// <summary>Statements the benchmark itself ran on the scratch database (each is one transaction there).</summary>
    public long OwnStatements => Interlocked.Read(ref _ownStatements);

    /// <summary>The benchmark's connection to the scratch database; every use must call <see cref="CountOwnStatement"/>.</summary>
    public async Task<NpgsqlConnection> ScratchAsync(CancellationToken cancellationToken) =>
        _scratch ??= await environment.OpenDatabaseAsync(cancellationToken);

    public void CountOwnStatement() => Interlocked.Increment(ref _ownStatements);

    /// <summary>Waits until the statistics of what just ran are published, then reads every counter.</summary>
    public async Task<CounterSnapshot> SettleAsync(string label, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var broker = await ReadRabbitAsync(cancellationToken);
        var lastChange = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < MaximumSettle
            && (Stopwatch.GetElapsedTime(started) < MinimumSettle || Stopwatch.GetElapsedTime(lastChange) < BrokerQuiet))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var now = await ReadRabbitAsync(cancellationToken);
            if (now != broker)
            {
                broker = now;
                lastChange = Stopwatch.GetTimestamp();
            }
        }

        var (commits, rollbacks) = await ReadPostgresAsync(cancellationToken);
        var errors = await ErrorQueueMessagesAsync(cancellationToken);
        Progress.Line(label, $"server counters settled after {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
        return new CounterSnapshot(Stopwatch.GetTimestamp(), commits, rollbacks, broker.Published, broker.Delivered, errors, OwnStatements);
    }

    /// <summary>Commits per second of the deployment doing nothing (deadline sweeps, outbox polls), once settled.</summary>
    public async Task<(double Rate, CounterSnapshot Snapshot)> MeasureIdleAsync(string label, TimeSpan window, CancellationToken cancellationToken)
    {
        var before = await SettleAsync(label, cancellationToken);
        await Task.Delay(window, cancellationToken);
        var (commits, _) = await ReadPostgresAsync(cancellationToken);
        var rate = Math.Max(0, (commits - before.XactCommit) / Stopwatch.GetElapsedTime(before.Timestamp).TotalSeconds);
        Progress.Line(label, string.Create(CultureInfo.InvariantCulture, $"idle deployment: {rate:0.0} commits/s in the scratch database (deadline sweeps, outbox polls)"));
        var after = await SettleAsync(label, cancellationToken);
        return (rate, after);
    }

    async Task<(long Commits, long Rollbacks)> ReadPostgresAsync(CancellationToken cancellationToken)
    {
        _admin ??= await environment.OpenAdminDatabaseAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = @db", _admin);
        command.Parameters.AddWithValue("db", environment.Database);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    async Task<(long Published, long Delivered)> ReadRabbitAsync(CancellationToken cancellationToken)
    {
        var vhost = await environment.ManagementGetAsync("vhosts/{vhost}", cancellationToken);
        if (vhost is not { } v || !v.TryGetProperty("message_stats", out var stats))
        {
            return (0, 0);
        }

        return (Long(stats, "publish"), Long(stats, "deliver_get"));
    }

    /// <summary>Messages waiting in the _error and _skipped queues of the vhost.</summary>
    public async Task<long> ErrorQueueMessagesAsync(CancellationToken cancellationToken)
    {
        var queues = await environment.ManagementGetAsync("queues/{vhost}?columns=name,messages", cancellationToken);
        if (queues is not { ValueKind: JsonValueKind.Array } list)
        {
            return 0;
        }

        return list.EnumerateArray()
            .Where(q => q.GetProperty("name").GetString() is { } n && (n.EndsWith("_error", StringComparison.Ordinal) || n.EndsWith("_skipped", StringComparison.Ordinal)))
            .Sum(q => Long(q, "messages"));
    }

    /// <summary>Messages ready or unacknowledged in one queue of the vhost.</summary>
    public async Task<long?> QueueDepthAsync(string queue, CancellationToken cancellationToken)
    {
        var q = await environment.ManagementGetAsync($"queues/{{vhost}}/{Uri.EscapeDataString(queue)}", cancellationToken);
        return q is { } value ? Long(value, "messages") : null;
    }

    /// <summary>Rows inserted, updated and deleted per table of the scratch database (one statement there).</summary>
    public async Task<Dictionary<string, long>> ReadTableWritesAsync(CancellationToken cancellationToken)
    {
        var connection = await ScratchAsync(cancellationToken);
        CountOwnStatement();
        await using var command = new NpgsqlCommand("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var writes = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var table = reader.GetString(0);
            writes[$"{table} ins"] = reader.GetInt64(1);
            writes[$"{table} upd"] = reader.GetInt64(2);
            writes[$"{table} del"] = reader.GetInt64(3);
        }

        return writes;
    }

    static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_scratch is not null)
        {
            await _scratch.DisposeAsync();
        }
    }
}
