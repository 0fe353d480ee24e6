using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Etter.Api.Tests;

/// <summary>Re-pushing a finished role: the same inputs reuse the result, different inputs supersede it.</summary>
public sealed class StaleDetectionTests(EmbeddedApiFactory factory) : IClassFixture<EmbeddedApiFactory>
{
    readonly HttpClient _client = factory.CreateClient();

    async Task<JsonElement> PushAsync(string jd, bool force = false) =>
        await (await _client.PostAsync("/api/v1/pipeline/push?use_mock=true", new StringContent(
            $$"""{"company_id": "Stale Co", "role_name": "Buyer", "documents": [{"type": "job_description", "content": "{{jd}}"}], "options": {"force_rerun": {{(force ? "true" : "false")}} } }""",
            Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();

    async Task<JsonElement> WaitForAsync(string id, string status)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var body = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/pipeline/status/{id}", cts.Token);
            if (body.GetProperty("status").GetString() == status && body.GetProperty("version").GetInt64() > 0)
            {
                return body;
            }

            await Task.Delay(50, cts.Token);
        }
    }

    [Fact]
    public async Task RepushedRole_SameInputsReuseTheResultAndChangedInputsMakeItStale()
    {
        var first = (await PushAsync("- Place purchase orders")).GetProperty("workflow_id").GetString()!;
        await WaitForAsync(first, "ready");

        var same = await PushAsync("- Place purchase orders");
        Assert.Equal(first, same.GetProperty("workflow_id").GetString());
        Assert.Equal("ready", same.GetProperty("status").GetString());

        var forced = await PushAsync("- Place purchase orders", force: true);
        Assert.NotEqual(first, forced.GetProperty("workflow_id").GetString());
        await WaitForAsync(forced.GetProperty("workflow_id").GetString()!, "ready");

        var changed = await PushAsync("- Place purchase orders\\n- Negotiate with suppliers in person");
        var newest = changed.GetProperty("workflow_id").GetString()!;
        Assert.NotEqual(first, newest);
        Assert.Contains("stale", changed.GetProperty("message").GetString(), StringComparison.Ordinal);
        var superseded = await WaitForAsync(forced.GetProperty("workflow_id").GetString()!, "stale");
        Assert.Equal(newest, superseded.GetProperty("superseded_by").GetString());
        await WaitForAsync(newest, "ready");
    }
}
