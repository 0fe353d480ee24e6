using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using OpenTelemetry.Trace;

namespace Etter.Api.Tests;

/// <summary>An embedded API whose traces are kept in memory, to check what one trace covers.</summary>
public sealed class TracedApiFactory : EmbeddedApiFactory
{
    public SpanList Spans { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
    }
}

/// <summary>The exporter adds spans from many threads; this collection takes a lock so the test can read safely.</summary>
public sealed class SpanList : System.Collections.ObjectModel.Collection<Activity>
{
    readonly Lock _gate = new();

    public List<Activity> Snapshot()
    {
        lock (_gate)
        {
            return [.. Items];
        }
    }

    protected override void InsertItem(int index, Activity item)
    {
        lock (_gate)
        {
            base.InsertItem(index, item);
        }
    }
}

/// <summary>
/// Trace assertions run alone: activity sources are process-wide, and other in-process hosts starting and
/// stopping their tracer providers meanwhile would make what this one records depend on timing.
/// </summary>
[CollectionDefinition(nameof(TracingTests), DisableParallelization = true)]
public sealed class TracingCollection;

[Collection(nameof(TracingTests))]
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
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var spans = factory.Spans.Snapshot();

            var request = spans.FirstOrDefault(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("push", StringComparison.OrdinalIgnoreCase));
            trace = request is null ? [] : spans.Where(s => s.TraceId == request.TraceId).Select(s => s.DisplayName).ToList();
            if (trace.Contains("assessment.engine mock") || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        // The push goes straight to the saga's address.
        Assert.Contains(trace, n => n.Contains(Etter.Messaging.Bus.CommandQueues.OnboardingSagaName, StringComparison.Ordinal));
        Assert.Contains(trace, n => n.Contains("SetUpRole", StringComparison.Ordinal));
        Assert.Contains("role_graph.upsert", trace);
        Assert.Contains(trace, n => n.Contains("AssessRole", StringComparison.Ordinal));
        Assert.True(trace.Contains("assessment.engine mock"), "trace: " + string.Join(" | ", trace));
    }
}
