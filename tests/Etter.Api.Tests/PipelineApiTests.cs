using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Etter.Api.Tests;

public sealed class PipelineApiTests(EmbeddedApiFactory factory) : IClassFixture<EmbeddedApiFactory>
{
    readonly HttpClient _client = factory.CreateClient();

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    async Task<JsonElement> WaitForTerminalAsync(string workflowId)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var response = await _client.GetAsync($"/api/v1/pipeline/status/{workflowId}", cts.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
                if (body.GetProperty("status").GetString() is "ready" or "failed" or "degraded" or "validation_error")
                {
                    return body;
                }
            }

            await Task.Delay(50, cts.Token);
        }
    }

    [Fact]
    public async Task Push_ReturnsOldApiShapeAndReachesReady()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""
            {"company_id": "Liberty Mutual", "role_name": "Claims Adjuster",
             "documents": [{"type": "job_description", "content": "## Responsibilities\n- Enter claims\n- Inspect sites"}],
             "options": {"skip_enhancement_workflows": true, "force_rerun": false, "notify_on_complete": true}}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("role_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("position_in_queue").ValueKind);
        Assert.True(body.GetProperty("estimated_duration_seconds").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));

        var status = await WaitForTerminalAsync(body.GetProperty("workflow_id").GetString()!);
        Assert.Equal("ready", status.GetProperty("status").GetString());
        Assert.Equal(2, status.GetProperty("progress").GetProperty("total").GetInt32());
        Assert.Equal(2, status.GetProperty("progress").GetProperty("current").GetInt32());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("role_id").GetString()));
        foreach (var step in status.GetProperty("progress").GetProperty("steps").EnumerateArray())
        {
            Assert.Equal("completed", step.GetProperty("status").GetString());
            Assert.True(step.GetProperty("duration_ms").GetInt64() >= 0);
        }
    }

    [Fact]
    public async Task StatusRightAfterPush_IsVisibleImmediately()
    {
        var push = await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "Acme Corporation", "role_name": "Data Scientist"}"""));
        var id = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString();

        var status = await _client.GetAsync($"/api/v1/pipeline/status/{id}");

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Theory]
    [InlineData("""{"role_name": "Claims Adjuster"}""", "company_id")]
    [InlineData("""{"company_id": "Liberty Mutual"}""", "role_name")]
    public async Task MissingRequiredField_Returns422NamingIt(string json, string field)
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push", Json(json));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        Assert.Equal(field, detail.GetProperty("loc")[1].GetString());
    }

    [Fact]
    public async Task MalformedJson_Returns422NotServerError()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push", Json("""{"company_id": "Liberty"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        Assert.Equal("value_error.jsondecode", detail.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("""[1, 2]""", """["body"]""", "value is not a valid dict", "type_error.dict")]
    [InlineData("""{"company_id": 123, "role_name": "Clerk"}""", """["body","company_id"]""", "str type expected", "type_error.str")]
    [InlineData("""{"company_id": "Acme", "role_name": "Clerk", "options": {"draft": "yes"}}""", """["body","options","draft"]""", "value could not be parsed to a boolean", "type_error.bool")]
    [InlineData("""{"company_id": "Acme", "role_name": "Clerk", "documents": {"type": "job_description"}}""", """["body","documents"]""", "value is not a valid list", "type_error.list")]
    [InlineData("""{"company_id": "Acme", "role_name": "Clerk", "documents": [{"content": "x", "metadata": {"page count": 3}}]}""", """["body","documents",0,"metadata","page count"]""", "str type expected", "type_error.str")]
    public async Task ValueOfTheWrongType_Returns422NamingWhereAndWhatWasExpected(string json, string location, string message, string type)
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push", Json(json));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<JsonElement>(location)), detail.GetProperty("loc").GetRawText());
        Assert.Equal(message, detail.GetProperty("msg").GetString());
        Assert.Equal(type, detail.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("on")]
    public async Task UseMockAsTheOldServiceAcceptedIt_IsAccepted(string useMock)
    {
        var response = await _client.PostAsync($"/api/v1/pipeline/push?use_mock={useMock}", Json($$"""{"company_id": "Acme Corporation", "role_name": "Flag {{useMock}}"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/pipeline/push?use_mock=maybe", "use_mock", "type_error.bool")]
    [InlineData("/api/v1/pipeline/push-batch?use_mock=maybe", "use_mock", "type_error.bool")]
    public async Task QueryValueTheOldServiceRefused_Returns422NamingTheParameter(string url, string parameter, string type)
    {
        var response = await _client.PostAsync(url, Json("""{"company_id": "Acme Corporation", "role_name": "Clerk", "roles": [{"role_name": "Clerk"}]}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        Assert.Equal($"""["query","{parameter}"]""", detail.GetProperty("loc").GetRawText());
        Assert.Equal(type, detail.GetProperty("type").GetString());
    }

    [Fact]
    public async Task ListLimitThatIsNotANumber_Returns422NamingIt()
    {
        var response = await _client.GetAsync("/api/v1/pipeline/workflows?limit=abc");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        Assert.Equal("""["query","limit"]""", detail.GetProperty("loc").GetRawText());
        Assert.Equal("type_error.integer", detail.GetProperty("type").GetString());
    }

    [Fact]
    public async Task BatchRoleOfTheWrongType_Returns422WithTheRolePositionAsANumber()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push-batch", Json("""{"company_id": "Acme", "roles": [{"role_name": "Clerk"}, {"role_name": 5}]}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        Assert.Equal("""["body","roles",1,"role_name"]""", detail.GetProperty("loc").GetRawText());
        Assert.Equal("type_error.str", detail.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/v1/pipeline/no-such-endpoint", HttpStatusCode.NotFound, "NOT_FOUND")]
    [InlineData("GET", "/api/v1/pipeline/push", HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED")]
    [InlineData("DELETE", "/api/v1/pipeline/workflows", HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED")]
    public async Task NoEndpointForTheRequest_AnswersTheErrorEnvelope(string method, string path, HttpStatusCode expected, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
        Assert.Equal(code, detail.GetProperty("error").GetString());
        Assert.Contains(path, detail.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NullDocument_Returns400NamingItsPosition()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push", Json("""{"company_id": "Acme", "role_name": "Clerk", "documents": [{"content": "- File"}, null]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
        Assert.Equal("VALIDATION_ERROR", detail.GetProperty("error").GetString());
        Assert.Contains("documents[1]", detail.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchRoleWithNullDocument_IsRejectedTheOthersQueued()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push-batch?use_mock=true", Json("""
            {"company_id": "Null Doc Co", "roles": [{"role_name": "Fine"}, {"role_name": "Broken", "documents": [null]}]}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var batch = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, batch.GetProperty("workflow_ids").GetArrayLength());
        var rejected = Assert.Single(batch.GetProperty("rejected").EnumerateArray().ToList());
        Assert.Equal(1, rejected.GetProperty("index").GetInt32());
        Assert.Contains("documents[0]", rejected.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlankRoleName_Returns400WithErrorEnvelope()
    {
        var response = await _client.PostAsync("/api/v1/pipeline/push", Json("""{"company_id": "Liberty Mutual", "role_name": "   "}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
        Assert.Equal("VALIDATION_ERROR", detail.GetProperty("error").GetString());
        Assert.False(detail.GetProperty("recoverable").GetBoolean());
        Assert.Contains("role_name", detail.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("not-a-guid")]
    public async Task UnknownWorkflow_Returns404NotFoundEnvelope(string id)
    {
        var response = await _client.GetAsync($"/api/v1/pipeline/status/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NOT_FOUND", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetProperty("error").GetString());
    }

    [Fact]
    public async Task WorkflowWithoutAnyJd_IsReportedDegradedNeverReady()
    {
        var push = await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", Json("""{"company_id": "Unknown Co", "role_name": "Mystery Role"}"""));
        var id = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString()!;

        var status = await WaitForTerminalAsync(id);

        Assert.Equal("degraded", status.GetProperty("status").GetString());
        var assessment = status.GetProperty("progress").GetProperty("steps")[1];
        Assert.Equal("skipped", assessment.GetProperty("status").GetString());
        Assert.Equal("no_jd_content", assessment.GetProperty("skip_reason").GetString());
    }

    [Fact]
    public async Task Health_ReportsEveryComponentAndHealthyIn200()
    {
        var response = await _client.GetAsync("/api/v1/pipeline/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        foreach (var component in new[] { "api", "rabbitmq", "postgres", "redis", "role_graph", "assessment_engine" })
        {
            Assert.Equal("healthy", body.GetProperty("components").GetProperty(component).GetProperty("status").GetString());
        }
    }
}
