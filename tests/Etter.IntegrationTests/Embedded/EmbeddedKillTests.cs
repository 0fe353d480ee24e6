using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Etter.TestSupport;
using Xunit.Abstractions;

namespace Etter.IntegrationTests.Embedded;

/// <summary>
/// The embedded host (one process, in-memory bus, SQLite under its data directory) killed with SIGKILL while pushes
/// are arriving: every workflow the API acknowledged before the kill is on disk after a restart, and finishes.
/// </summary>
public sealed class EmbeddedKillTests(ITestOutputHelper output) : IDisposable
{
    const string Company = "Kill Test Co";

    /// <summary>Acknowledged workflows before the kill: enough that some are mid-flight in every step when it lands.</summary>
    const int AcknowledgedBeforeKill = 120;

    readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task KilledWhilePushesArrive_EveryAcknowledgedWorkflowIsThereAfterRestartAndFinishes()
    {
        await using var host = new ServiceProcess(
            "Embedded",
            RepositoryPaths.ServiceDll("Etter.Embedded"),
            new Dictionary<string, string>
            {
                ["Etter__DataDirectory"] = _data.Path,
                ["Etter__Assessment__DefaultEngine"] = "mock",
                ["Etter__Api__Keys__0"] = "",
            },
            Path.Combine(RepositoryPaths.Root, ".etter", "test-logs", $"embedded-kill-{DateTime.UtcNow:HHmmss}"));
        host.Start();
        await host.WaitHealthyAsync();
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var acknowledged = new ConcurrentDictionary<string, byte>();
        using var stop = new CancellationTokenSource();
        var next = 0;
        string NextRole() => $"Kill Role {Interlocked.Increment(ref next):D5}";

        // Single pushes and batches side by side: each has its own path to the saga.
        var pushers = Enumerable.Range(0, 6).Select(lane => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    foreach (var id in lane % 2 == 0 ? await PushOneAsync(http, NextRole()) : await PushBatchAsync(http, [NextRole(), NextRole(), NextRole(), NextRole()]))
                    {
                        acknowledged.TryAdd(id, 0);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // The kill cut the answer off: not acknowledged, so nothing is owed for it.
                    return;
                }
            }
        })).ToList();

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (acknowledged.Count < AcknowledgedBeforeKill && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await host.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(pushers);
        var owed = acknowledged.Keys.ToList();
        output.WriteLine($"killed with {owed.Count} workflows acknowledged");
        Assert.True(owed.Count >= AcknowledgedBeforeKill, $"only {owed.Count} pushes acknowledged in 2 minutes. Log tail:\n{host.Tail()}");

        host.Start();
        await host.WaitHealthyAsync();

        var notReady = new Dictionary<string, string>();
        var finishBy = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        foreach (var id in owed)
        {
            string state;
            while ((state = await StatusAsync(http, id)) != "ready" && DateTime.UtcNow < finishBy)
            {
                await Task.Delay(100);
            }

            if (state != "ready")
            {
                notReady[id] = state;
            }
        }

        Assert.True(notReady.Count == 0, $"{notReady.Count} of {owed.Count} acknowledged workflows not ready after the restart: "
            + string.Join(", ", notReady.Take(10).Select(p => $"{p.Key}={p.Value}")) + $"\nLog tail:\n{host.Tail()}");
    }

    static async Task<IReadOnlyList<string>> PushOneAsync(HttpClient http, string role)
    {
        using var push = await http.PostAsJsonAsync("/api/v1/pipeline/push?use_mock=true", new
        {
            company_id = Company,
            role_name = role,
            documents = new[] { new { type = "job_description", content = "## Responsibilities\n- Enter claim data\n- Inspect property on site" } },
        });
        return push.StatusCode == HttpStatusCode.OK
            ? [(await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!]
            : [];
    }

    static async Task<IReadOnlyList<string>> PushBatchAsync(HttpClient http, IReadOnlyList<string> roles)
    {
        using var push = await http.PostAsJsonAsync("/api/v1/pipeline/push-batch?use_mock=true", new
        {
            company_id = Company,
            roles = roles.Select(role => new
            {
                role_name = role,
                documents = new[] { new { type = "job_description", content = "## Responsibilities\n- Reconcile invoices\n- Compile monthly reports" } },
            }),
        });
        return push.StatusCode == HttpStatusCode.OK
            ? [.. (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_ids").EnumerateArray().Select(id => id.GetString()!)]
            : [];
    }

    /// <returns>The workflow's status, or "missing" when the API does not know it.</returns>
    static async Task<string> StatusAsync(HttpClient http, string workflowId)
    {
        using var response = await http.GetAsync(new Uri($"/api/v1/pipeline/status/{workflowId}", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.NotFound
            ? "missing"
            : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() ?? "none";
    }
}
