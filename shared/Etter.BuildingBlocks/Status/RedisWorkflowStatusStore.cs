using System.Text.Json;
using Etter.BuildingBlocks.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Etter.BuildingBlocks.Status;

/// <summary>
/// Status in Redis under <c>etter:workflow:status:{workflowId}</c> as the API's JSON, with a TTL.
/// The compare-and-set runs as one Lua script, so concurrent projections cannot put an older version back.
/// </summary>
public sealed class RedisWorkflowStatusStore(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IWorkflowStatusStore
{
    public const string KeyPrefix = "etter:workflow:status:";

    const string WriteIfNewer = """
        local current = redis.call('GET', KEYS[1])
        if current then
          local ok, doc = pcall(cjson.decode, current)
          if ok and type(doc) == 'table' and tonumber(doc['version']) and tonumber(doc['version']) >= tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    public static RedisKey Key(Guid workflowId) => KeyPrefix + workflowId.ToString("D");

    public async Task<bool> TryWriteAsync(PipelineStatusResponse status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        var json = JsonSerializer.Serialize(status, PipelineStatusMapper.JsonOptions);
        var ttl = (long)options.Value.StatusTtl.TotalMilliseconds;
        var result = await redis.GetDatabase().ScriptEvaluateAsync(
            WriteIfNewer,
            [Key(status.WorkflowId)],
            [json, status.Version, ttl]);
        return (long)result == 1;
    }

    public async Task<PipelineStatusResponse?> GetAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        var value = await redis.GetDatabase().StringGetAsync(Key(workflowId));
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<PipelineStatusResponse>(value.ToString(), PipelineStatusMapper.JsonOptions);
    }
}
