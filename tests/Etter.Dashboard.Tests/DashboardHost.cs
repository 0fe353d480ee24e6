using System.Net.Http.Json;
using System.Text.Json;
using Etter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Dashboard.Tests;

/// <summary>
/// The API in embedded mode (whole pipeline in-process, SQLite in a scratch folder) on a real Kestrel
/// socket on 127.0.0.1, because the browser needs one; the test server of WebApplicationFactory has none.
/// </summary>
public abstract class DashboardHost : WebApplicationFactory<Etter.Embedded.EmbeddedHost>
{
    readonly TempDirectory _dataDirectory = new();

    protected DashboardHost()
    {
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        Api = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (ApiKey is { } key)
        {
            Api.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
    }

    /// <summary>The default engine of the in-process AiAssessment.</summary>
    protected abstract string AssessmentEngine { get; }

    /// <summary>An API key to require, or null for an open embedded API.</summary>
    public virtual string? ApiKey => null;

    /// <summary>Where the API listens, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseUrl { get; }

    /// <summary>A client of the real socket, sending <see cref="ApiKey"/> when there is one.</summary>
    public HttpClient Api { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Etter:Mode", "Embedded");
        builder.UseSetting("Etter:DataDirectory", _dataDirectory.Path);
        builder.UseSetting("Etter:Assessment:DefaultEngine", AssessmentEngine);

        // Always set, so an API key exported into the test run's environment (deploy/local/test.sh loads the
        // local credentials) cannot switch key checks on for the hosts meant to run without one.
        builder.UseSetting("Etter:Api:Keys:0", ApiKey ?? "");
    }

    /// <summary>Pushes one role (as a draft, which waits without running, when asked); returns its workflow id.</summary>
    public async Task<string> PushAsync(string company, string role, bool draft = false)
    {
        using var response = await Api.PostAsJsonAsync("api/v1/pipeline/push", new { company_id = company, role_name = role, options = new { draft } });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("workflow_id").GetString()!;
    }

    /// <summary>Pushes a batch; returns the batch id.</summary>
    public async Task<string> PushBatchAsync(string company, params string[] roles)
    {
        using var response = await Api.PostAsJsonAsync("api/v1/pipeline/push-batch", new { company_id = company, roles = roles.Select(r => new { role_name = r }) });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("batch_id").GetString()!;
    }

    /// <summary>Waits until the saga has recorded the workflow (the push-time placeholder is version 0).</summary>
    public async Task<JsonElement> WaitForStatusAsync(string workflowId, Func<JsonElement, bool> until, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var status = await Api.GetFromJsonAsync<JsonElement>($"api/v1/pipeline/status/{workflowId}", cts.Token);
            if (status.GetProperty("version").GetInt64() > 0 && until(status))
            {
                return status;
            }

            await Task.Delay(100, cts.Token);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Api.Dispose();
        }

        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dataDirectory.Dispose();
    }
}

/// <summary>Assessments by the deterministic mock engine: workflows reach Ready in about a second.</summary>
public sealed class MockEngineHost : DashboardHost
{
    protected override string AssessmentEngine => "mock";
}

/// <summary>A misconfigured engine: every assessment fails (not recoverable), so workflows end failed at ai_assessment.</summary>
public sealed class BrokenEngineHost : DashboardHost
{
    protected override string AssessmentEngine => "no-such-engine";
}

/// <summary>An embedded API with a key configured: every pipeline call then needs X-Api-Key.</summary>
public sealed class KeyedHost : DashboardHost
{
    public const string Key = "dashboard-test-key-0123456789";

    protected override string AssessmentEngine => "mock";

    public override string? ApiKey => Key;
}
