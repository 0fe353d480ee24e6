using System.Text.Json;
using Etter.IntegrationTests.Infrastructure;
using Etter.TestSupport;

namespace Etter.IntegrationTests.Distributed;

/// <summary>GetOnboardingStatus request/response through RabbitMQ against the saga, used by `etter status --mode distributed`.</summary>
public sealed class BusStatusQueryTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task CliStatusOverTheBus_AnswersFromTheSagaAndNotFoundForUnknownIds()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var id = await deployment.PushAsync("Liberty Mutual", "Claims Adjuster");
        await deployment.WaitForTerminalAsync(id);

        var found = await CliRunner.RunAsync(["status", id, "--json", "--mode", "distributed"], _environment.ServiceEnvironment());
        var missing = await CliRunner.RunAsync(["status", Guid.NewGuid().ToString(), "--mode", "distributed"], _environment.ServiceEnvironment());

        Assert.True(found.ExitCode == 0, $"exit {found.ExitCode}: {found.StdErr}");
        Assert.Equal("ready", JsonDocument.Parse(found.StdOut).RootElement.GetProperty("status").GetString());
        Assert.Equal(4, missing.ExitCode);
    }

    [Fact]
    public async Task CliOnboardDistributed_PublishesAndFollowsToReady()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment, startApi: false);

        var result = await CliRunner.RunAsync(["onboard", "--company", "Walmart Inc.", "--role", "Supply Chain Analyst", "--mock", "--json", "--mode", "distributed", "--timeout", "60"], _environment.ServiceEnvironment());

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}\n{deployment.DescribeServices()}");
        Assert.Equal("ready", JsonDocument.Parse(result.StdOut).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task CliStatusWithNoOrchestratorRunning_SaysSoWithExitCode6()
    {
        // The broker answers (the scratch vhost exists), but no service consumes the saga's queues.
        var result = await CliRunner.RunAsync(["status", Guid.NewGuid().ToString(), "--mode", "distributed"], _environment.ServiceEnvironment());

        Assert.True(result.ExitCode == 6, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains("error: no answer from the orchestrator within 10 s", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliOnboardWhileTheOrchestratorIsDown_KeepsAskingAndTheWorkflowRunsOnceItIsBack()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment, startApi: false);
        var orchestrator = deployment.Get("Orchestrator");
        await orchestrator.KillAsync();

        var result = await CliRunner.RunAsync(["onboard", "--company", "Walmart Inc.", "--role", "Cashier", "--mock", "--mode", "distributed", "--timeout", "12"], _environment.ServiceEnvironment());

        Assert.True(result.ExitCode == 5, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains("no answer from the orchestrator within 10 s; still asking", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("Timed out after 12 s; the workflow goes on.", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);

        // The request waited in the orchestrator's queue: started again, it runs the workflow to the end.
        var workflowId = System.Text.RegularExpressions.Regex.Match(result.StdOut, @"\(workflow ([0-9a-f-]{36})\)").Groups[1].Value;
        orchestrator.Start();
        await orchestrator.WaitHealthyAsync();

        // No job description is given, so the workflow ends degraded (set up, nothing to assess) unless one is found.
        string? last = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline && last is not ("ready" or "degraded" or "failed");)
        {
            var status = await CliRunner.RunAsync(["status", workflowId, "--json", "--mode", "distributed"], _environment.ServiceEnvironment());
            last = status.ExitCode is 0 or 1 or 3 ? JsonDocument.Parse(status.StdOut).RootElement.GetProperty("status").GetString() : $"exit {status.ExitCode}";
        }

        Assert.True(last is "ready" or "degraded", $"workflow {workflowId}: {last}\n{deployment.DescribeServices()}");
    }
}
