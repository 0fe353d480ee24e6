using System.Globalization;
using System.Text.Json;
using Etter.Benchmarks.Measurement;
using Etter.StatusStore;
using StackExchange.Redis;

namespace Etter.Benchmarks.Distributed;

/// <summary>
/// Watches the status projection in Redis (<see cref="RedisWorkflowStatusStore.Key"/>, what the status endpoint
/// returns) for every workflow in flight, with MGET every <see cref="Interval"/>: when a workflow's version
/// changes, the lag from its updated_at (the saga's commit time) to now is recorded, and a terminal status
/// completes the run. Polling reads cost the system under test almost nothing (one round trip per poll).
/// </summary>
public sealed class RedisStatusWatcher : IAsyncDisposable
{
    const int Chunk = 256;

    readonly IConnectionMultiplexer _redis;
    readonly string _keyPrefix;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    volatile WorkflowTracker? _tracker;

    /// <param name="keyPrefix">The deployment's <c>Etter:Redis:KeyPrefix</c>.</param>
    public RedisStatusWatcher(IConnectionMultiplexer redis, string keyPrefix, TimeSpan interval)
    {
        _redis = redis;
        _keyPrefix = keyPrefix;
        Interval = interval;
        _loop = Task.Run(LoopAsync);
    }

    public TimeSpan Interval { get; }

    public WorkflowTracker? Tracker
    {
        get => _tracker;
        set => _tracker = value;
    }

    async Task LoopAsync()
    {
        var db = _redis.GetDatabase();
        while (!_stop.IsCancellationRequested)
        {
            var tracker = _tracker;
            var pending = tracker?.Pending.Where(r => r.WorkflowId != Guid.Empty).ToArray() ?? [];
            try
            {
                foreach (var chunk in pending.Chunk(Chunk))
                {
                    var keys = chunk.Select(r => RedisWorkflowStatusStore.Key(_keyPrefix, r.WorkflowId)).ToArray();
                    var values = await db.StringGetAsync(keys);
                    var observedAt = DateTimeOffset.UtcNow;
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        if (!values[i].IsNullOrEmpty && Parse(values[i]) is { } status)
                        {
                            tracker!.Observe(chunk[i].WorkflowId, status.Status, status.CurrentStep, status.Version, status.UpdatedAt, observedAt);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Progress.Line("redis", $"status poll failed: {ex.Message}");
            }

            // Many workflows in flight: poll less often, so the watcher never becomes the load.
            var delay = TimeSpan.FromMilliseconds(Math.Max(Interval.TotalMilliseconds, pending.Length * 0.25));
            try
            {
                await Task.Delay(delay, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    sealed record StatusFields(string Status, string? CurrentStep, long Version, DateTimeOffset? UpdatedAt);

    /// <summary>Reads the top-level status, currentStep, revision and updatedAt of the stored status document.</summary>
    static StatusFields? Parse(RedisValue value)
    {
        byte[] bytes = value!;
        var reader = new Utf8JsonReader(bytes);
        string? status = null, step = null;
        long version = 0;
        DateTimeOffset? updatedAt = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "status":
                        status = reader.GetString();
                        break;
                    case "currentStep":
                        step = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "revision":
                        version = reader.GetInt64();
                        break;
                    case "updatedAt":
                        updatedAt = reader.TokenType == JsonTokenType.String
                            ? DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                            : null;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }

        return status is null ? null : new StatusFields(status, step, version, updatedAt);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
