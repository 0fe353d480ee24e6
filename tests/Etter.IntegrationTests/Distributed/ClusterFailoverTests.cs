using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Etter.IntegrationTests.Infrastructure;
using Etter.Orchestrator.Saga;
using Etter.TestSupport;
using Xunit.Abstractions;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// The services on the local 3-node RabbitMQ cluster (deploy/local/cluster-up.sh) with quorum queues: a
/// broker node dies mid-run and comes back, and nothing is lost, duplicated or restarted by hand.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Workflows = 500;
    const string Company = "Cluster Failover Co";

    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        // Idempotent: brings back a node an earlier, interrupted run left dead, so every node is up here.
        await DeployScript.RunAsync("cluster-up.sh");
        _environment = await ScratchEnvironment.CreateOnClusterAsync();
    }

    public async Task DisposeAsync()
    {
        await DeployScript.RunAsync("cluster-up.sh");
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task BrokerNodeKilledDuring500Workflows_AllCompleteOnceWithoutRestartingAnyService()
    {
        var watch = Stopwatch.StartNew();
        // Production step policies on purpose: their timeouts outlast a failover, so any message the kill lost
        // would leave its workflow stuck past the wait below instead of being hidden by a quick retry.
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var pids = deployment.Processes.ToDictionary(p => p.Name, p => p.ProcessId);

        var roles = Enumerable.Range(0, Workflows).Select(i => new
        {
            role_name = $"Cluster Role {i:D3}",
            documents = new[] { new { type = "job_description", content = "## Responsibilities\n- Enter claim data\n- Inspect property on site" } },
        });
        using (var push = await deployment.Http.PostAsJsonAsync("/api/v1/pipeline/push-batch?use_mock=true", new { company_id = Company, roles }))
        {
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
            Assert.Equal(Workflows, (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_ids").GetArrayLength());
        }

        const string terminal = $"select count(*) from onboarding_state where current_state in {ScratchDatabase.TerminalStates}";
        var beforeKill = await _environment.WaitForCountAsync(terminal, 25, TimeSpan.FromMinutes(3), deployment.DescribeServices);
        var victim = await BusiestNodeAsync();
        var victimPid = int.Parse(File.ReadAllText(ClusterSettings.PidFile(victim)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using (var node = Process.GetProcessById(victimPid))
        {
            node.Kill();
            await node.WaitForExitAsync();
        }

        output.WriteLine($"{watch.Elapsed}: killed node {victim} (pid {victimPid}) with {beforeKill} of {Workflows} workflows terminal");
        Assert.True(beforeKill < Workflows, "the run finished before the node was killed, so the kill tested nothing");

        // Progress while the node is down shows the services moved to the surviving nodes on their own.
        var whileDown = await _environment.WaitForCountAsync(terminal, Math.Min(Workflows, beforeKill + 50), TimeSpan.FromMinutes(3), deployment.DescribeServices);
        output.WriteLine($"{watch.Elapsed}: {whileDown} terminal with node {victim} down; restarting it");
        await DeployScript.RunAsync("cluster-up.sh");
        output.WriteLine($"{watch.Elapsed}: node {victim} back");

        await _environment.WaitForCountAsync(terminal, Workflows, TimeSpan.FromMinutes(5), deployment.DescribeServices);
        output.WriteLine($"{watch.Elapsed}: all {Workflows} terminal");

        Assert.Equal(Workflows, await _environment.ScalarAsync("select count(*) from onboarding_state"));
        Assert.Equal(Workflows, await _environment.ScalarAsync($"select count(*) from onboarding_state where current_state = '{nameof(OnboardingStateMachine.Ready)}'"));
        Assert.Equal(Workflows, await _environment.ScalarAsync($"select count(*) from company_role where company_name = '{Company}'"));
        Assert.Equal(Workflows, await _environment.ScalarAsync("select count(*) from job_description"));
        Assert.Equal(Workflows, await _environment.ScalarAsync("select count(distinct company_role_id) from job_description"));

        // One assessment run per workflow: every run belongs to the attempt the saga finished with, so no
        // attempt was repeated because of the lost node.
        Assert.Equal(Workflows, await _environment.ScalarAsync("select count(*) from assessment_run"));
        Assert.Equal(Workflows, await _environment.ScalarAsync(
            "select count(*) from onboarding_state s join assessment_run r on r.workflow_id = s.workflow_id and r.attempt = s.ai_assessment_attempt and r.status = 'completed'"));
        Assert.Equal(Workflows, await _environment.ScalarAsync("select count(*) from role_setup_inbox"));

        Assert.All(deployment.Processes, p =>
        {
            Assert.True(p.IsRunning, $"{p.Name} stopped");
            Assert.Equal(pids[p.Name], p.ProcessId);
        });
        Assert.Equal(3, await RunningNodesAsync());
    }

    /// <summary>The node leading most of this vhost's quorum queues: losing it forces leader elections.</summary>
    async Task<int> BusiestNodeAsync()
    {
        var queues = await _environment.Management.GetFromJsonAsync<JsonElement>($"queues/{Uri.EscapeDataString(_environment.VirtualHost)}?columns=name,leader,node");
        var leaders = queues.EnumerateArray()
            .Select(q => q.TryGetProperty("leader", out var leader) ? leader.GetString() : q.GetProperty("node").GetString())
            .Where(n => n is not null)
            .GroupBy(n => n!)
            .OrderByDescending(g => g.Count())
            .ToList();
        output.WriteLine("queue leaders: " + string.Join(", ", leaders.Select(g => $"{g.Key}={g.Count()}")));
        return ClusterSettings.NodeIndex(leaders[0].Key);
    }

    async Task<int> RunningNodesAsync()
    {
        var nodes = await _environment.Management.GetFromJsonAsync<JsonElement>("nodes?columns=name,running");
        return nodes.EnumerateArray().Count(n => n.GetProperty("running").GetBoolean());
    }
}
