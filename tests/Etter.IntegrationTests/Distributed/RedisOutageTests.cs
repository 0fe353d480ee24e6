using Etter.IntegrationTests.Infrastructure;
using Etter.StatusStore;
using Etter.TestSupport;
using StackExchange.Redis;

namespace Etter.IntegrationTests.Distributed;

/// <summary>Redis is a cache of status, never a dependency of the workflow itself.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task RedisStopped_WorkflowsCompleteStatusComesFromPostgresAndRedisCatchesUpWhenBack()
    {
        await using var redis = new PrivateRedis();
        await redis.StartAsync();
        // The orchestrator writes the status store; the API reads it.
        await using var deployment = await EtterDeployment.StartAsync(_environment, [("Api", "Etter__Redis__Configuration", redis.Configuration), ("Orchestrator", "Etter__Redis__Configuration", redis.Configuration)]);
        var before = await deployment.PushAsync("Liberty Mutual", "Risk Analyst");
        await deployment.WaitForTerminalAsync(before);

        await redis.StopAsync();
        var beforeStatus = await deployment.StatusAsync(before);
        Assert.Equal("ready", beforeStatus?.GetProperty("status").GetString());
        var during = await deployment.PushAsync("Liberty Mutual", "Claims Adjuster");
        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(during)).GetProperty("status").GetString());

        await redis.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var key = RedisWorkflowStatusStore.Key(_environment.RedisKeyPrefix, Guid.Parse(during));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        RedisValue cached = RedisValue.Null;
        // Retried events land in any order once Redis is back; versioned writes make the newest win.
        while (DateTime.UtcNow < deadline && (cached.IsNullOrEmpty || !cached.ToString().Contains("\"status\":\"ready\"", StringComparison.Ordinal)))
        {
            cached = await connection.GetDatabase().StringGetAsync(key);
            await Task.Delay(250);
        }

        Assert.False(cached.IsNullOrEmpty, "the projection never caught up after Redis returned");
        Assert.Contains("\"status\":\"ready\"", cached.ToString(), StringComparison.Ordinal);
    }
}
