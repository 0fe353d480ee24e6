using Etter.IntegrationTests.Infrastructure;
using Etter.TestSupport;

namespace Etter.IntegrationTests.Distributed;

/// <summary>One setting declares every endpoint as a quorum queue (the replicated queue type of a RabbitMQ cluster).</summary>
public sealed class QuorumQueueTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task DefaultSettings_EndpointsAreQuorumQueuesAndWorkflowsComplete()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);

        var id = await deployment.PushAsync("Quorum Co", "Replicated Role");

        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id)).GetProperty("status").GetString());
        foreach (var queue in new[] { "onboarding-saga-0", "onboard-role-requested", "set-up-role", "assess-role" })
        {
            var info = await _environment.GetQueueAsync(queue);
            Assert.Equal("quorum", info!.Value.GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task QuorumQueuesOff_EndpointsStayClassicForExistingVhosts()
    {
        var classic = new[] { "Orchestrator", "RoleSetup", "AiAssessment", "Api" }.Select(s => (s, "Etter__RabbitMq__QuorumQueues", "false"));
        await using var deployment = await EtterDeployment.StartAsync(_environment, classic);

        var id = await deployment.PushAsync("Classic Co", "Single Node Role");

        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id)).GetProperty("status").GetString());
        var info = await _environment.GetQueueAsync("onboarding-saga-0");
        Assert.Equal("classic", info!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public async Task ClusterNodeListWithADeadNode_ServicesConnectToALiveOneAndWork()
    {
        // Port 1 on loopback: nothing listens, as with a cluster node that is down.
        var nodes = new[] { "Orchestrator", "RoleSetup", "AiAssessment", "Api" }.Select(s => (s, "Etter__RabbitMq__ClusterNodes__0", "127.0.0.1:1"));
        await using var deployment = await EtterDeployment.StartAsync(_environment, nodes);

        var id = await deployment.PushAsync("Cluster Co", "Failover Role");

        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id)).GetProperty("status").GetString());
    }
}
