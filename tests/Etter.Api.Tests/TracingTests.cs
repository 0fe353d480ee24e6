using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Etter.Api.Tests;

/// <summary>An embedded API whose traces are kept in memory, to check what one trace covers.</summary>
public sealed class TracedApiFactory : EmbeddedApiFactory
{
    public List<Activity> Spans { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
    }
}

public sealed class TracingTests(TracedApiFactory factory) : IClassFixture<TracedApiFactory>
{
    [Fact]
    public async Task OnePush_IsOneTraceFromTheRequestThroughEveryStepAndTheEngine()
    {
        var client = factory.CreateClient();
        var push = await client.PostAsync("/api/v1/pipeline/push?use_mock=true",
            new StringContent("""{"company_id": "Trace Co", "role_name": "Tracer", "documents": [{"type": "job_description", "content": "- Compile reports"}]}""", Encoding.UTF8, "application/json"));
        var id = (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workflow_id").GetString();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((await client.GetFromJsonAsync<JsonElement>($"/api/v1/pipeline/status/{id}", cts.Token)).GetProperty("status").GetString() != "ready")
        {
            await Task.Delay(50, cts.Token);
        }

        // Spans are exported when they end; the engine's ends just after the status turns ready.
        List<string> trace;
        while (true)
        {
            List<Activity> spans;
            lock (factory.Spans)
            {
                spans = [.. factory.Spans];
            }

            var request = spans.FirstOrDefault(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("push", StringComparison.OrdinalIgnoreCase));
            trace = request is null ? [] : spans.Where(s => s.TraceId == request.TraceId).Select(s => s.DisplayName).ToList();
            if (trace.Contains("assessment.engine mock"))
            {
                break;
            }

            await Task.Delay(50, cts.Token);
        }

        Assert.Contains(trace, n => n.Contains("OnboardRoleRequested", StringComparison.Ordinal));
        Assert.Contains(trace, n => n.Contains("SetUpRole", StringComparison.Ordinal));
        Assert.Contains("role_graph.upsert", trace);
        Assert.Contains(trace, n => n.Contains("AssessRole", StringComparison.Ordinal));
        Assert.Contains("assessment.engine mock", trace);
    }
}
