using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Etter.TestSupport;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>The four services as separate processes on a scratch environment: the production shape, on one machine.</summary>
public sealed class EtterDeployment : IAsyncDisposable
{
    readonly List<ServiceProcess> _processes = [];

    EtterDeployment(ScratchEnvironment environment, string logDirectory)
    {
        Environment = environment;
        LogDirectory = logDirectory;
    }

    public ScratchEnvironment Environment { get; }

    public string LogDirectory { get; }

    public ServiceProcess Api { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IReadOnlyList<ServiceProcess> Processes => _processes;

    /// <param name="overrides">Per-service settings, e.g. <c>("AiAssessment", "Etter__Assessment__DefaultEngine", "x")</c>.</param>
    /// <param name="replicas">
    /// Instances of each service, named as up.sh names them: <c>Orchestrator</c>, <c>Orchestrator-2</c>, ...
    /// The API requests of <see cref="Http"/> go to the first API.
    /// </param>
    public static async Task<EtterDeployment> StartAsync(
        ScratchEnvironment environment,
        IEnumerable<(string Service, string Key, string Value)>? overrides = null,
        bool startApi = true,
        int replicas = 1,
        [CallerMemberName] string testName = "")
    {
        var deployment = new EtterDeployment(environment, Path.Combine(RepositoryPaths.Root, ".etter", "test-logs", $"{testName}-{DateTime.UtcNow:HHmmss}"));
        var list = overrides?.ToList() ?? [];

        // The step services own their schemas, so they start beside the orchestrator; the API waits for the
        // orchestrator, which owns (and migrates) the saga schema the API reads.
        var services = startApi ? new[] { "Orchestrator", "RoleSetup", "AiAssessment", "Api" } : ["Orchestrator", "RoleSetup", "AiAssessment"];
        var first = new List<ServiceProcess>();
        var afterOrchestrator = new List<ServiceProcess>();
        for (var i = 1; i <= replicas; i++)
        {
            foreach (var service in services)
            {
                var process = deployment.Add(service, list, i == 1 ? null : $"{service}-{i}");
                (i == 1 && service != "Api" ? first : afterOrchestrator).Add(process);
            }
        }

        first.ForEach(p => p.Start());
        await first[0].WaitHealthyAsync();
        if (startApi)
        {
            deployment.Api = deployment.Get("Api");
            deployment.Http = new HttpClient { BaseAddress = deployment.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            deployment.Http.DefaultRequestHeaders.Add("X-Api-Key", environment.ApiKey);
        }

        afterOrchestrator.ForEach(p => p.Start());
        await Task.WhenAll(first.Skip(1).Concat(afterOrchestrator).Select(p => p.WaitHealthyAsync()));
        return deployment;
    }

    public ServiceProcess Add(string service, IEnumerable<(string Service, string Key, string Value)>? overrides = null, string? instanceName = null)
    {
        var settings = Environment.ServiceEnvironment();

        // As up.sh does: instance N of the orchestrator consumes saga partition N-1.
        if (service == "Orchestrator" && instanceName?.Split('-') is [_, var number] && int.TryParse(number, System.Globalization.CultureInfo.InvariantCulture, out var instance))
        {
            settings["Etter__Orchestrator__Partition"] = (instance - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (target, key, value) in overrides ?? [])
        {
            if (target == service)
            {
                settings[key] = value;
            }
        }

        var process = new ServiceProcess(instanceName ?? service, RepositoryPaths.ServiceDll($"Etter.{service}"), settings, LogDirectory);
        _processes.Add(process);
        return process;
    }

    public ServiceProcess Get(string name) => _processes.Single(p => p.Name == name);

    /// <summary>Pushes a role through the HTTP API with the mock engine; returns the workflow id.</summary>
    public async Task<string> PushAsync(string company, string role, string? jd = "## Responsibilities\n- Enter claim data\n- Inspect property on site", bool useMock = true)
    {
        object body = jd is null
            ? new { company_id = company, role_name = role }
            : new { company_id = company, role_name = role, documents = new[] { new { type = "job_description", content = jd } } };
        using var response = await Http.PostAsJsonAsync($"/api/v1/pipeline/push?use_mock={(useMock ? "true" : "false")}", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!;
    }

    public async Task<JsonElement?> StatusAsync(string workflowId)
    {
        using var response = await Http.GetAsync(new Uri($"/api/v1/pipeline/status/{workflowId}", UriKind.Relative));
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    /// <summary>Polls the API until the workflow reaches a terminal status; fails with service logs otherwise.</summary>
    public async Task<JsonElement> WaitForTerminalAsync(string workflowId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await StatusAsync(workflowId);
            if (last?.GetProperty("status").GetString() is "ready" or "failed" or "degraded" or "validation_error")
            {
                return last.Value;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"Workflow {workflowId} not terminal in time; last status {last?.GetProperty("status")}. {DescribeServices()}");
    }

    public string DescribeServices() =>
        string.Join("\n", _processes.Select(p => $"--- {p.Name} ({(p.IsRunning ? "running" : "stopped")}), log {p.LogFile}:\n{p.Tail(15)}"));

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }
}
