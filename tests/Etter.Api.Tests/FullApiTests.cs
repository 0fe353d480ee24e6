using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Etter.Api.Tests;

/// <summary>The rest of the old API's contract (catalog, batches) and what we added (search, history, events, OpenAPI).</summary>
public sealed class FullApiTests(EmbeddedApiFactory factory) : IClassFixture<EmbeddedApiFactory>
{
    readonly HttpClient _client = factory.CreateClient();

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    async Task<JsonElement> GetJsonAsync(string url) => await _client.GetFromJsonAsync<JsonElement>(url);

    async Task WaitAsync(Func<Task<bool>> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(50, cts.Token);
        }
    }

    [Fact]
    public async Task Companies_ListsTheTaxonomyWithATotal()
    {
        var body = await GetJsonAsync("/api/v1/pipeline/companies");

        Assert.Equal(3, body.GetProperty("total_count").GetInt32());
        Assert.Contains("Liberty Mutual", body.GetProperty("companies").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Roles_HaveEveryOldFieldAndUnknownCompanyIsEmpty()
    {
        var body = await GetJsonAsync("/api/v1/pipeline/roles/Walmart%20Inc.");
        var unknown = await GetJsonAsync("/api/v1/pipeline/roles/Nobody%20Ltd");

        Assert.Equal("Walmart Inc.", body.GetProperty("company_name").GetString());
        Assert.Equal(3, body.GetProperty("total_count").GetInt32());
        var role = body.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("job_title").GetString() == "Software Development Engineer");
        Assert.Equal("Software Engineer", role.GetProperty("draup_role").GetString());
        foreach (var field in new[] { "job_id", "job_role", "occupation", "job_family", "status" })
        {
            Assert.False(string.IsNullOrEmpty(role.GetProperty(field).GetString()), field);
        }

        Assert.Equal(0, unknown.GetProperty("total_count").GetInt32());
        Assert.Empty(unknown.GetProperty("roles").EnumerateArray());
    }

    [Fact]
    public async Task PushBatch_QueuesEachRoleReportsRejectedOnesAndBatchStatusCountsThem()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push-batch?use_mock=true", Json("""
            {"company_id": "Batch Co", "created_by": "cs@etter",
             "roles": [{"role_name": "Analyst A"}, {"role_name": "Analyst B", "documents": [{"type": "job_description", "content": "- Compile reports"}]},
                       {"role_name": ""}, {"role_name": "Analyst A"}, {"role_name": "Bad Doc", "documents": [{"type": "sop", "uri": "ftp://x/y"}]}]}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var batch = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = batch.GetProperty("batch_id").GetString()!;
        Assert.Matches("^batch-[0-9a-f]{12}$", batchId);
        Assert.Equal(5, batch.GetProperty("total_roles").GetInt32());
        Assert.Equal(2, batch.GetProperty("workflow_ids").GetArrayLength());
        Assert.Equal("queued", batch.GetProperty("status").GetString());
        var rejected = batch.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal(3, rejected.Count);
        Assert.Contains(rejected, r => r.GetProperty("error").GetString()!.Contains("Duplicate", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.GetProperty("error").GetString()!.Contains("http", StringComparison.Ordinal));

        // The batch appears once the saga has recorded its workflows (404 until then).
        await WaitAsync(async () =>
        {
            using var poll = await _client.GetAsync($"/api/v1/pipeline/batch-status/{batchId}");
            return poll.IsSuccessStatusCode
                && (await poll.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() is "completed" or "partial";
        });
        var status = await GetJsonAsync($"/api/v1/pipeline/batch-status/{batchId}");
        Assert.Equal("Batch Co", status.GetProperty("company_id").GetString());
        Assert.Equal(2, status.GetProperty("total").GetInt32());
        Assert.Equal(2, status.GetProperty("completed").GetInt32());
        Assert.Equal(100, status.GetProperty("progress_percent").GetDouble());
        Assert.Equal(100, status.GetProperty("success_rate").GetDouble());
        Assert.All(status.GetProperty("roles").EnumerateArray(), r => Assert.False(string.IsNullOrEmpty(r.GetProperty("workflow_id").GetString())));
    }

    [Fact]
    public async Task BatchWithoutRoles_Returns422AndUnknownBatchReturns404()
    {
        var missing = await _client.PostAsync("/api/v1/pipeline/push-batch", Json("""{"company_id": "X"}"""));
        var unknown = await _client.GetAsync("/api/v1/pipeline/batch-status/batch-000000000000");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Workflows_FilterByCompanyNewestFirstWithKeysetPages()
    {
        var company = $"Paging Co {Guid.NewGuid():N}";
        for (var i = 0; i < 5; i++)
        {
            (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json($$"""{"company_id": "{{company}}", "role_name": "Role {{i}}"}"""))).EnsureSuccessStatusCode();
        }

        var encoded = Uri.EscapeDataString(company);
        await WaitAsync(async () => (await GetJsonAsync($"/api/v1/pipeline/workflows?company_id={encoded}&limit=50")).GetProperty("count").GetInt32() == 5);

        var first = await GetJsonAsync($"/api/v1/pipeline/workflows?company_id={encoded}&limit=2");
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = await GetJsonAsync($"/api/v1/pipeline/workflows?company_id={encoded}&limit=2&cursor={cursor}");
        var third = await GetJsonAsync($"/api/v1/pipeline/workflows?company_id={encoded}&limit=2&cursor={second.GetProperty("next_cursor").GetString()}");

        var ids = new[] { first, second, third }.SelectMany(p => p.GetProperty("workflows").EnumerateArray().Select(w => w.GetProperty("workflow_id").GetString())).ToList();
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(JsonValueKind.Null, third.GetProperty("next_cursor").ValueKind);
        var queued = first.GetProperty("workflows").EnumerateArray().Select(w => w.GetProperty("queued_at").GetDateTimeOffset()).ToList();
        Assert.True(queued[0] >= queued[1], "newest first");
    }

    [Theory]
    [InlineData("status=sleeping")]
    [InlineData("limit=0")]
    [InlineData("since=yesterday")]
    [InlineData("cursor=not-a-cursor")]
    public async Task Workflows_BadQuery_Returns400WithEnvelope(string query)
    {
        var response = await _client.GetAsync($"/api/v1/pipeline/workflows?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("error").GetString());
    }

    [Fact]
    public async Task RolesAfterARepeatedPush_ShowTheWorkingWorkflowsStatusNotDuplicate()
    {
        const string push = """{"company_id": "Liberty Mutual", "role_name": "Risk Analyst"}""";
        var first = await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json(push))).Content.ReadFromJsonAsync<JsonElement>();
        var id = first.GetProperty("workflow_id").GetString();
        await WaitAsync(async () => (await GetJsonAsync($"/api/v1/pipeline/status/{id}")).GetProperty("status").GetString() == "ready");

        var again = await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json(push))).Content.ReadFromJsonAsync<JsonElement>();
        var roles = await GetJsonAsync("/api/v1/pipeline/roles/Liberty%20Mutual");

        Assert.Equal(id, again.GetProperty("workflow_id").GetString());
        var role = roles.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("job_title").GetString() == "Risk Analyst");
        Assert.Equal("ready", role.GetProperty("status").GetString());
    }

    [Fact]
    public async Task RealPushAfterAMockResult_RunsTheRoleAgain()
    {
        const string push = """{"company_id": "Liberty Mutual", "role_name": "Senior Underwriter"}""";
        var mock = (await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json(push))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString();
        await WaitAsync(async () => (await GetJsonAsync($"/api/v1/pipeline/status/{mock}")).GetProperty("status").GetString() == "ready");

        var real = await (await _client.PostAsync("/api/v1/pipeline/push", Json(push))).Content.ReadFromJsonAsync<JsonElement>();
        var mockAgain = await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json(push))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.NotEqual(mock, real.GetProperty("workflow_id").GetString());
        Assert.Equal("queued", real.GetProperty("status").GetString());
        Assert.Equal(real.GetProperty("workflow_id").GetString(), mockAgain.GetProperty("workflow_id").GetString());
    }

    [Fact]
    public async Task BatchOfARoleReadyWithTheSameInputs_RunsItAgainInTheBatch()
    {
        var single = await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "Acme Corporation", "role_name": "Senior Product Manager"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var ready = single.GetProperty("workflow_id").GetString();
        await WaitAsync(async () => (await GetJsonAsync($"/api/v1/pipeline/status/{ready}")).GetProperty("status").GetString() == "ready");

        var batch = await (await _client.PostAsync("/api/v1/pipeline/push-batch?use_mock=true",
            Json("""{"company_id": "Acme Corporation", "roles": [{"role_name": "Senior Product Manager"}]}"""))).Content.ReadFromJsonAsync<JsonElement>();

        var rerun = Assert.Single(batch.GetProperty("workflow_ids").EnumerateArray().ToList()).GetString();
        Assert.NotEqual(ready, rerun);
        var status = await GetJsonAsync($"/api/v1/pipeline/batch-status/{batch.GetProperty("batch_id").GetString()}");
        Assert.Equal(rerun, Assert.Single(status.GetProperty("roles").EnumerateArray().ToList()).GetProperty("workflow_id").GetString());
    }

    [Fact]
    public async Task WorkflowsLimit_DescribedRangeIsTheAcceptedRange()
    {
        var openApi = await GetJsonAsync("/openapi/v1.json");
        var limit = openApi.GetProperty("paths").GetProperty("/api/v1/pipeline/workflows").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "limit");

        Assert.Equal("1 to 500, default 50", limit.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/v1/pipeline/workflows?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/v1/pipeline/workflows?limit=500")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/v1/pipeline/workflows?limit=501")).StatusCode);
    }

    [Fact]
    public async Task History_RecordsEveryTransitionInOrder()
    {
        var push = await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "History Co", "role_name": "Auditor"}"""));
        var id = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString();
        await WaitAsync(async () => (await GetJsonAsync($"/api/v1/pipeline/status/{id}")).GetProperty("status").GetString() == "degraded");

        var history = await GetJsonAsync($"/api/v1/pipeline/history/{id}");

        var entries = history.GetProperty("entries").EnumerateArray().ToList();
        // Admitted in the transaction that records it, the workflow's first status is processing.
        Assert.Equal("processing", entries[0].GetProperty("to_status").GetString());
        Assert.Equal("api", entries[0].GetProperty("actor").GetString());
        Assert.Equal("degraded", entries[^1].GetProperty("to_status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/pipeline/history/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task StatusEvents_StreamChangesUntilTheWorkflowFinishes()
    {
        var push = await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "Stream Co", "role_name": "Watcher"}"""));
        var id = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _client.GetAsync($"/api/v1/pipeline/status/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var text = await response.Content.ReadAsStringAsync(cts.Token);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(f => f.Contains("event: status", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(frames);
        var last = JsonDocument.Parse(frames[^1].Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..]).RootElement;
        Assert.Equal("degraded", last.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_AreScrapableWithWorkflowTransitionsAndStepDurations()
    {
        var push = await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "Metrics Co", "role_name": "Counter", "documents": [{"type": "job_description", "content": "- Count things"}]}"""));
        var id = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString();
        await WaitAsync(async () => (await GetJsonAsync($"/api/v1/pipeline/status/{id}")).GetProperty("status").GetString() == "ready");

        var metrics = "";
        await WaitAsync(async () => (metrics = await _client.GetStringAsync("/metrics")).Contains("etter_workflow_time_to_ready", StringComparison.Ordinal));

        Assert.Contains("etter_workflow_transitions", metrics, StringComparison.Ordinal);
        Assert.Contains("etter_step_duration", metrics, StringComparison.Ordinal);
        Assert.Contains("etter_workflow_outcomes", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiAndReferencePage_DescribeTheEndpoints()
    {
        var openApi = await GetJsonAsync("/openapi/v1.json");
        var page = await _client.GetStringAsync("/api/v1/pipeline/docs");

        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/v1/pipeline/push", "/api/v1/pipeline/push-batch", "/api/v1/pipeline/workflows", "/api/v1/pipeline/history/{workflowId}" })
        {
            Assert.Contains(path, paths);
        }

        Assert.Contains("/openapi/v1.json", page, StringComparison.Ordinal);
    }
}

public sealed class ApiKeyTests(KeyedApiFactory factory) : IClassFixture<KeyedApiFactory>
{
    readonly HttpClient _client = factory.CreateClient();

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task PushWithoutKey_Returns401Envelope()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push", Json("""{"company_id": "A", "role_name": "B"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("error").GetString());
    }

    [Fact]
    public async Task WrongKeyOnARead_Returns401ButHealthStaysOpen()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pipeline/companies");
        request.Headers.Add("X-Api-Key", "wrong-key-0123456789");

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/v1/pipeline/health")).StatusCode);
    }

    [Fact]
    public async Task RightKey_IsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pipeline/push?use_mock=true") { Content = Json("""{"company_id": "Keyed Co", "role_name": "Clerk"}""") };
        request.Headers.Add("X-Api-Key", KeyedApiFactory.Key);

        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task OversizedBody_Returns413WithEnvelopeNot5xx()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pipeline/push")
        {
            Content = Json($$"""{"company_id": "A", "role_name": "B", "documents": [{"type": "other", "content": "{{new string('x', 10_000)}}"}]}"""),
        };
        request.Headers.Add("X-Api-Key", KeyedApiFactory.Key);

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("error").GetString());
    }
}
