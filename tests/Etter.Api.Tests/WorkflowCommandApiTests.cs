using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Etter.Api.Tests;

public sealed class WorkflowCommandApiTests(EmbeddedApiFactory factory) : IClassFixture<EmbeddedApiFactory>
{
    readonly HttpClient _client = factory.CreateClient();

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    async Task<JsonElement> PushDraftAsync(string role) =>
        await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json($$"""{"company_id": "Acme Corporation", "role_name": "{{role}}", "options": {"draft": true} }""")))
            .Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>Waits until the saga itself has recorded <paramref name="expected"/> (version 0 is only the push-time placeholder).</summary>
    async Task<string> WaitForStatusAsync(string id, string expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? status = null;
        long version = 0;
        while (status != expected || version == 0)
        {
            await Task.Delay(50, cts.Token);
            var body = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/pipeline/status/{id}", cts.Token);
            status = body.GetProperty("status").GetString();
            version = body.GetProperty("version").GetInt64();
        }

        return status;
    }

    [Fact]
    public async Task SameRolePushedWhileInFlight_ReturnsTheExistingWorkflow()
    {
        var first = await PushDraftAsync("Data Scientist");
        var id = first.GetProperty("workflow_id").GetString()!;
        await WaitForStatusAsync(id, "draft");

        var again = await PushDraftAsync("  data   scientist ");

        Assert.Equal(id, again.GetProperty("workflow_id").GetString());
        Assert.Contains("already has a workflow in flight", again.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForceRerun_StartsAnotherWorkflowEvenWhileOneIsInFlight()
    {
        var first = (await PushDraftAsync("Product Analyst")).GetProperty("workflow_id").GetString()!;
        await WaitForStatusAsync(first, "draft");

        var second = await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true",
            Json("""{"company_id": "Acme Corporation", "role_name": "Product Analyst", "options": {"force_rerun": true, "draft": true} }"""))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.NotEqual(first, second.GetProperty("workflow_id").GetString());
    }

    [Fact]
    public async Task BatchWithARoleInFlight_ListsWorkflowIdsInTheOrderOfTheRoles()
    {
        var inFlight = (await PushDraftAsync("Data Engineer")).GetProperty("workflow_id").GetString()!;
        await WaitForStatusAsync(inFlight, "draft");

        var batch = await (await _client.PostAsync("/api/v1/pipeline/push-batch?use_mock=true", Json("""
            {"company_id": "Acme Corporation", "roles": [{"role_name": "ML Engineer"}, {"role_name": "Data Engineer"}, {"role_name": "BI Analyst"}]}
            """))).Content.ReadFromJsonAsync<JsonElement>();

        var ids = batch.GetProperty("workflow_ids").EnumerateArray().Select(i => i.GetString()!).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(inFlight, ids[1]);
        foreach (var (id, role) in new[] { (ids[0], "ML Engineer"), (ids[2], "BI Analyst") })
        {
            Assert.Equal(role, (await _client.GetFromJsonAsync<JsonElement>($"/api/v1/pipeline/status/{id}")).GetProperty("role_name").GetString());
        }
    }

    [Fact]
    public async Task CancelDraft_EndsCancelledAndASecondCancelIsRejected()
    {
        var id = (await PushDraftAsync("Growth Marketer")).GetProperty("workflow_id").GetString()!;
        await WaitForStatusAsync(id, "draft");

        var cancel = await _client.PostAsync($"/api/v1/pipeline/cancel/{id}", Json("""{"reason": "pushed by mistake"}"""));

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await WaitForStatusAsync(id, "cancelled");
        var status = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/pipeline/status/{id}");
        Assert.Equal("pushed by mistake", status.GetProperty("cancel_reason").GetString());
        var again = await _client.PostAsync($"/api/v1/pipeline/cancel/{id}", null);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [Fact]
    public async Task SubmitDraft_RunsItToTheEndAndASecondSubmitIsRejected()
    {
        var id = (await PushDraftAsync("Solutions Architect")).GetProperty("workflow_id").GetString()!;
        await WaitForStatusAsync(id, "draft");

        var submit = await _client.PostAsync($"/api/v1/pipeline/submit/{id}", null);

        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        Assert.Equal($"/api/v1/pipeline/status/{id}", submit.Headers.Location?.OriginalString);
        await WaitForStatusAsync(id, "degraded"); // no job description for this role: set up, not assessed
        var again = await _client.PostAsync($"/api/v1/pipeline/submit/{id}", null);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("degraded", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelWithAnOverlongReason_Returns400AndTheWorkflowStays()
    {
        var id = (await PushDraftAsync("Field Technician")).GetProperty("workflow_id").GetString()!;
        await WaitForStatusAsync(id, "draft");

        var cancel = await _client.PostAsync($"/api/v1/pipeline/cancel/{id}", Json(JsonSerializer.Serialize(new { reason = new string('r', 513) })));

        Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);
        Assert.Contains("512", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("draft", (await _client.GetFromJsonAsync<JsonElement>($"/api/v1/pipeline/status/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task BatchWithAnOverlongCreatedBy_Returns400ForTheWholeBatch()
    {
        var body = JsonSerializer.Serialize(new { company_id = "Acme Corporation", created_by = new string('c', 257), roles = new[] { new { role_name = "Ops Analyst" } } });

        var response = await _client.PostAsync("/api/v1/pipeline/push-batch?use_mock=true", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("created_by", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryOfAWorkflowThatHasNotFailed_Returns400()
    {
        var id = (await PushDraftAsync("Sales Engineer")).GetProperty("workflow_id").GetString()!;
        await WaitForStatusAsync(id, "draft");

        var retry = await _client.PostAsync($"/api/v1/pipeline/retry/{id}", null);

        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
        Assert.Equal("VALIDATION_ERROR", (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("retry")]
    [InlineData("submit")]
    [InlineData("cancel")]
    public async Task CommandForUnknownWorkflow_Returns404(string command)
    {
        var response = await _client.PostAsync($"/api/v1/pipeline/{command}/{Guid.NewGuid()}", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class RetryFailedWorkflowApiTests(BrokenEngineApiFactory factory) : IClassFixture<BrokenEngineApiFactory>
{
    readonly HttpClient _client = factory.CreateClient();

    async Task<JsonElement> WaitForAssessmentAttemptFailedAsync(string id, int attempt)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            await Task.Delay(50, cts.Token);
            var body = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/pipeline/status/{id}", cts.Token);
            var assessment = body.GetProperty("progress").GetProperty("steps")[1];
            if (body.GetProperty("status").GetString() == "failed" && assessment.GetProperty("attempt").GetInt32() == attempt)
            {
                return body;
            }
        }
    }

    [Fact]
    public async Task RetryAfterAssessmentFailure_RerunsOnlyTheAssessment()
    {
        var push = await _client.PostAsync("/api/v1/pipeline/push", new StringContent("""{"company_id": "Walmart Inc.", "role_name": "Store Manager"}""", Encoding.UTF8, "application/json"));
        var id = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!;
        var failed = await WaitForAssessmentAttemptFailedAsync(id, attempt: 1);
        Assert.Equal("ai_assessment", failed.GetProperty("error_detail").GetProperty("step").GetString());
        Assert.False(failed.GetProperty("error_detail").GetProperty("recoverable").GetBoolean());

        var retry = await _client.PostAsync($"/api/v1/pipeline/retry/{id}", null);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("ai_assessment", (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("retry_from").GetString());
        var again = await WaitForAssessmentAttemptFailedAsync(id, attempt: 2);
        var roleSetup = again.GetProperty("progress").GetProperty("steps")[0];
        Assert.Equal("completed", roleSetup.GetProperty("status").GetString());
        Assert.Equal(1, roleSetup.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task RetryWhileAnotherWorkflowOfTheRoleIsInFlight_Returns400NamingIt()
    {
        var push = await _client.PostAsync("/api/v1/pipeline/push", new StringContent("""{"company_id": "Walmart Inc.", "role_name": "Supply Chain Analyst"}""", Encoding.UTF8, "application/json"));
        var failed = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!;
        await WaitForAssessmentAttemptFailedAsync(failed, attempt: 1);
        var draft = await _client.PostAsync("/api/v1/pipeline/push", new StringContent("""{"company_id": "Walmart Inc.", "role_name": "Supply Chain Analyst", "options": {"draft": true} }""", Encoding.UTF8, "application/json"));
        var inFlight = (await draft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!;
        Assert.NotEqual(failed, inFlight);

        var retry = await _client.PostAsync($"/api/v1/pipeline/retry/{failed}", null);

        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
        var detail = (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
        Assert.Equal("VALIDATION_ERROR", detail.GetProperty("error").GetString());
        Assert.Contains(inFlight, detail.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    async Task<List<string>> PushFailingBatchAsync(params string[] roles)
    {
        var body = JsonSerializer.Serialize(new { company_id = "Target Corp", roles = roles.Select(r => new { role_name = r, documents = new[] { new { type = "job_description", content = $"- Work as {r}" } } }) });
        var batch = await (await _client.PostAsync("/api/v1/pipeline/push-batch", new StringContent(body, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        var ids = batch.GetProperty("workflow_ids").EnumerateArray().Select(i => i.GetString()!).ToList();
        foreach (var id in ids)
        {
            await WaitForAssessmentAttemptFailedAsync(id, attempt: 1);
        }

        return [batch.GetProperty("batch_id").GetString()!, .. ids];
    }

    [Fact]
    public async Task RetryFailedWithChunkedBody_RetriesOnlyTheListedWorkflow()
    {
        var pushed = await PushFailingBatchAsync("Cashier", "Stocker");
        var (batchId, cashier) = (pushed[0], pushed[1]);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/pipeline/retry-failed/{batchId}")
        {
            Content = new StringContent($$"""{"workflow_ids": ["{{cashier}}"]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TransferEncodingChunked = true;

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("retried_count").GetInt32());
        Assert.Equal(cashier, Assert.Single(body.GetProperty("new_workflow_ids").EnumerateArray().ToList()).GetString());
        await WaitForAssessmentAttemptFailedAsync(cashier, attempt: 2);
    }

    [Fact]
    public async Task RetryFailedWhileTheRoleIsInFlight_SkipsItNamingTheOther()
    {
        var pushed = await PushFailingBatchAsync("Greeter", "Cart Attendant");
        var (batchId, greeter, attendant) = (pushed[0], pushed[1], pushed[2]);
        var draft = await _client.PostAsync("/api/v1/pipeline/push", new StringContent("""{"company_id": "Target Corp", "role_name": "Greeter", "options": {"draft": true} }""", Encoding.UTF8, "application/json"));
        var inFlight = (await draft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!;
        var unknown = Guid.NewGuid().ToString();

        var response = await _client.PostAsync($"/api/v1/pipeline/retry-failed/{batchId}",
            new StringContent($$"""{"workflow_ids": ["{{greeter}}", "{{attendant}}", "{{unknown}}"]}""", Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("retried_count").GetInt32());
        Assert.Equal(attendant, Assert.Single(body.GetProperty("new_workflow_ids").EnumerateArray().ToList()).GetString());
        var skipped = body.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("workflow_id").GetString()!, s => s.GetProperty("reason").GetString()!);
        Assert.Equal(2, skipped.Count);
        Assert.Contains(inFlight, skipped[greeter], StringComparison.Ordinal);
        Assert.Contains("Not a workflow of this batch", skipped[unknown], StringComparison.Ordinal);
    }
}
