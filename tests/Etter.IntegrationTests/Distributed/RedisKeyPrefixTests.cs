using Etter.Contracts;
using Etter.StatusStore;
using Etter.TestSupport;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Etter.IntegrationTests.Distributed;

/// <summary>Deployments sharing one Redis keep their statuses apart by key prefix, and a scratch slice takes its keys with it.</summary>
public sealed class RedisKeyPrefixTests
{
    [Fact]
    public async Task StoresWithDifferentKeyPrefixes_SeeOnlyTheirOwnStatuses()
    {
        var settings = InfrastructureSettings.Load();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(settings.RedisConfiguration);
        var first = Store(redis, $"etter-it-{Guid.NewGuid():N}:");
        var second = Store(redis, $"etter-it-{Guid.NewGuid():N}:");
        var workflowId = Guid.NewGuid();

        try
        {
            Assert.True(await first.Store.TryWriteAsync(Status(workflowId), CancellationToken.None));

            Assert.Equal(workflowId, (await first.Store.GetAsync(workflowId, CancellationToken.None))?.WorkflowId);
            Assert.Null(await second.Store.GetAsync(workflowId, CancellationToken.None));
            Assert.True(await redis.GetDatabase().KeyExistsAsync(RedisWorkflowStatusStore.Key(first.Prefix, workflowId)));
            Assert.False(await redis.GetDatabase().KeyExistsAsync(RedisWorkflowStatusStore.Key("", workflowId)));
        }
        finally
        {
            await redis.GetDatabase().KeyDeleteAsync(RedisWorkflowStatusStore.Key(first.Prefix, workflowId));
        }
    }

    [Fact]
    public async Task ScratchEnvironmentDisposed_ItsRedisKeysAreGoneAndOthersStay()
    {
        var settings = InfrastructureSettings.Load();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(settings.RedisConfiguration);
        var bystander = Store(redis, $"etter-it-{Guid.NewGuid():N}:");
        var bystanderId = Guid.NewGuid();
        await bystander.Store.TryWriteAsync(Status(bystanderId), CancellationToken.None);

        try
        {
            var environment = await ScratchEnvironment.CreateAsync(settings);
            var scratch = Store(redis, environment.RedisKeyPrefix);

            // More than one page of the key scan, so the deletion has to go past the first.
            var ids = Enumerable.Range(0, 2_500).Select(_ => Guid.NewGuid()).ToArray();
            await Task.WhenAll(ids.Select(id => scratch.Store.TryWriteAsync(Status(id), CancellationToken.None)));
            Assert.True(await redis.GetDatabase().KeyExistsAsync(RedisWorkflowStatusStore.Key(environment.RedisKeyPrefix, ids[^1])));

            await environment.DisposeAsync();

            var left = await redis.GetDatabase().KeyExistsAsync([.. ids.Select(id => RedisWorkflowStatusStore.Key(environment.RedisKeyPrefix, id))]);
            Assert.Equal(0, left);
            Assert.NotNull(await bystander.Store.GetAsync(bystanderId, CancellationToken.None));
        }
        finally
        {
            await redis.GetDatabase().KeyDeleteAsync(RedisWorkflowStatusStore.Key(bystander.Prefix, bystanderId));
        }
    }

    static (string Prefix, RedisWorkflowStatusStore Store) Store(IConnectionMultiplexer redis, string prefix) =>
        (prefix, new RedisWorkflowStatusStore(redis, Options.Create(new RedisOptions { Configuration = "unused", KeyPrefix = prefix })));

    static OnboardingStatus Status(Guid workflowId) => new()
    {
        WorkflowId = workflowId,
        Revision = 1,
        Status = OnboardingStatuses.Queued,
        CompanyId = "Liberty Mutual",
        RoleName = "Claims Adjuster",
        QueuedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };
}
