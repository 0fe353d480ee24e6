using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Etter.IntegrationTests.Infrastructure;
using Etter.TestSupport;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>The pipeline API against the real servers: batches at scale, keys, redrive with documents, health.</summary>
public sealed class PipelineApiDistributedTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task BatchOf2500Roles_IsAcceptedInUnder10SecondsAndEveryRoleFinishes()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var roles = Enumerable.Range(0, 2500).Select(i => new { role_name = $"Batch Role {i:D4}" }).ToArray();

        var watch = Stopwatch.StartNew();
        using var response = await deployment.Http.PostAsJsonAsync("/api/v1/pipeline/push-batch?use_mock=true", new { company_id = "Big Batch Co", roles });
        watch.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"accepting the batch took {watch.Elapsed}");
        var batch = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2500, batch.GetProperty("workflow_ids").GetArrayLength());
        var batchId = batch.GetProperty("batch_id").GetString();

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        JsonElement status = default;
        while (DateTime.UtcNow < deadline)
        {
            // The batch appears once the saga has recorded its first workflows.
            using var poll = await deployment.Http.GetAsync(new Uri($"/api/v1/pipeline/batch-status/{batchId}", UriKind.Relative));
            if (poll.IsSuccessStatusCode)
            {
                status = await poll.Content.ReadFromJsonAsync<JsonElement>();
                if (status.GetProperty("state").GetString() is "completed" or "partial" && status.GetProperty("total").GetInt32() == 2500)
                {
                    break;
                }
            }

            await Task.Delay(1000);
        }

        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Equal(2500, status.GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task RetryFailed_RedrivesWithTheOriginalDocuments()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment, [("AiAssessment", "Etter__Assessment__DefaultEngine", "no-such-engine")]);
        using var push = await deployment.Http.PostAsJsonAsync("/api/v1/pipeline/push-batch", new
        {
            company_id = "Retry Co",
            roles = new[] { new { role_name = "Keeper", documents = new[] { new { type = "job_description", content = "## Responsibilities\n- Reconcile the ledger" } } } },
        });
        var batch = await push.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = batch.GetProperty("batch_id").GetString();
        var id = batch.GetProperty("workflow_ids")[0].GetString()!;
        await deployment.WaitForTerminalAsync(id);

        using var retry = await deployment.Http.PostAsJsonAsync($"/api/v1/pipeline/retry-failed/{batchId}", new { });
        var answer = await retry.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, answer.GetProperty("retried_count").GetInt32());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        int attempt = 0;
        while (DateTime.UtcNow < deadline && attempt < 2)
        {
            var status = await deployment.StatusAsync(id);
            attempt = status?.GetProperty("progress").GetProperty("steps")[1].GetProperty("attempt").GetInt32() ?? 0;
            await Task.Delay(200);
        }

        Assert.Equal(2, attempt);
        await using var db = await _environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("select jd_markdown, role_setup_attempt from onboarding_state where workflow_id = @id", db);
        command.Parameters.AddWithValue("id", Guid.Parse(id));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Contains("Reconcile the ledger", reader.GetString(0), StringComparison.Ordinal);
        Assert.Equal(1, reader.GetInt32(1));
    }

    [Fact]
    public async Task UnauthenticatedPush_Returns401()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        using var anonymous = new HttpClient { BaseAddress = deployment.Api.BaseAddress };

        using var response = await anonymous.PostAsJsonAsync("/api/v1/pipeline/push", new { company_id = "A", role_name = "B" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task BrokerGoneForTheApi_PushAndBatchAre503NotQueuedWithinTheWriteBound()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        await deployment.PushAsync("Broker Gone Co", "Clerk Before The Cut");

        await _environment.CutOffBrokerAsync();
        await WaitForBusUnhealthyAsync(deployment.Http);

        // Never reached a broker, so for certain not queued: a clear 503, not a wait for as long as the client waits.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var push = deployment.Http.PostAsJsonAsync("/api/v1/pipeline/push?use_mock=true", new { company_id = "Broker Gone Co", role_name = "Lonely Clerk" });
        var batch = deployment.Http.PostAsJsonAsync("/api/v1/pipeline/push-batch?use_mock=true", new { company_id = "Broker Gone Co", roles = new[] { new { role_name = "Batch Clerk" } } });
        using var pushResponse = await push;
        using var batchResponse = await batch;

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(60));
        foreach (var (response, says) in new[] { (pushResponse, "the role was not queued"), (batchResponse, "no role of the batch was queued") })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
            Assert.Equal("SERVICE_UNAVAILABLE", detail.GetProperty("error").GetString());
            Assert.True(detail.GetProperty("recoverable").GetBoolean());
            Assert.Contains(says, detail.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>Waits until the API itself has seen its connection go (a push before that could still find a channel).</summary>
    static async Task WaitForBusUnhealthyAsync(HttpClient http)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await http.GetAsync(new Uri("/api/v1/pipeline/health", UriKind.Relative), wait.Token);
            var health = await response.Content.ReadFromJsonAsync<JsonElement>(wait.Token);
            if (health.GetProperty("components").GetProperty("rabbitmq").GetProperty("status").GetString() == "unhealthy")
            {
                return;
            }

            await Task.Delay(200, wait.Token);
        }
    }

    [Fact]
    public async Task PostgresUnreachable_HealthIs503Unhealthy()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var api = deployment.Get("Api");
        await api.KillAsync();
        var cut = deployment.Add("Api", [("Api", "Etter__Postgres__ConnectionString", "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=2")], instanceName: "Api-no-postgres");
        cut.Start();
        using var http = new HttpClient { BaseAddress = cut.BaseAddress };
        HttpResponseMessage? response = null;
        for (var i = 0; i < 100 && response is null; i++)
        {
            try
            {
                response = await http.GetAsync(new Uri("/api/v1/pipeline/health", UriKind.Relative));
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        Assert.NotNull(response);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.GetProperty("components").GetProperty("postgres").GetProperty("status").GetString());
        response.Dispose();
    }
}
