using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Etter.Benchmarks.Embedded;
using Etter.Benchmarks.Measurement;

namespace Etter.Benchmarks.Distributed;

/// <summary>The pipeline HTTP API of one Api process, as a client uses it.</summary>
public sealed class ApiClient : IDisposable
{
    public const string Prefix = "/api/v1/pipeline";

    readonly HttpClient _http;

    public ApiClient(Uri baseAddress, string name, string apiKey)
    {
        Name = name;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    public string Name { get; }

    public static object PushBody(string roleName) => new
    {
        company_id = EmbeddedSystem.Company,
        role_name = roleName,
        documents = new[] { new { type = "job_description", content = EmbeddedSystem.JobDescription } },
    };

    /// <summary>POST /push?use_mock=true; registers the run once the API has named its workflow.</summary>
    public async Task PushAsync(WorkflowTracker tracker, WorkflowRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(run);
        run.MarkPushStarted();
        using var response = await _http.PostAsJsonAsync($"{Prefix}/push?use_mock=true", PushBody(run.RoleName), cancellationToken);
        run.MarkPushed();
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"push answered {(int)response.StatusCode}: {body[..Math.Min(200, body.Length)]}");
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        run.WorkflowId = Guid.Parse(answer.GetProperty("workflow_id").GetString()!);
        tracker.Register(run);
        tracker.RecordPushed(run);
    }

    /// <summary>POST /push-batch with <paramref name="body"/>; the status code and the raw answer.</summary>
    public async Task<(HttpStatusCode Status, string Body, double Milliseconds)> PostBatchAsync(object body, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await _http.PostAsJsonAsync($"{Prefix}/push-batch?use_mock=true", body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, text, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public void Dispose() => _http.Dispose();
}
