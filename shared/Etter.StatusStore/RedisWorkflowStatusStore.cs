using Etter.Contracts;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Etter.StatusStore;

/// <summary>
/// Status in Redis under <c>{KeyPrefix}etter:workflow:status:{workflowId}</c> (<see cref="RedisOptions.KeyPrefix"/>, empty by
/// default) as a <see cref="StatusDocument"/>, with a TTL.
/// The compare-and-set runs as one Lua script, so concurrent writers cannot put an older revision back.
/// </summary>
public sealed class RedisWorkflowStatusStore(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IWorkflowStatusStore
{
    public const string StatusKeyPrefix = "etter:workflow:status:";

    const string WriteIfNewer = """
        local current = redis.call('GET', KEYS[1])
        if current then
          local ok, doc = pcall(cjson.decode, current)
          if ok and type(doc) == 'table' and tonumber(doc['revision']) and tonumber(doc['revision']) >= tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    /// <summary>The key of a workflow's status in a deployment whose <see cref="RedisOptions.KeyPrefix"/> is <paramref name="keyPrefix"/>.</summary>
    public static RedisKey Key(string keyPrefix, Guid workflowId) => keyPrefix + StatusKeyPrefix + workflowId.ToString("D");

    RedisKey KeyOf(Guid workflowId) => Key(options.Value.KeyPrefix, workflowId);

    public async Task<bool> TryWriteAsync(OnboardingStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        var ttl = (long)options.Value.StatusTtl.TotalMilliseconds;
        var result = await redis.GetDatabase().ScriptEvaluateAsync(
            WriteIfNewer,
            [KeyOf(status.WorkflowId)],
            [StatusDocument.Serialize(status), status.Revision, ttl]);
        return (long)result == 1;
    }

    public bool OutlivesProcess => true;

    public async Task<OnboardingStatus?> GetAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        var value = await redis.GetDatabase().StringGetAsync(KeyOf(workflowId));
        return value.IsNullOrEmpty ? null : StatusDocument.Deserialize(value.ToString());
    }
}
