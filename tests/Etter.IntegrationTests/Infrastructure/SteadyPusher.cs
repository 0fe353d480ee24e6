using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// Pushes roles through the API at a steady rate, as customer-success staff spread over a day would, until stopped:
/// a small batch every tick, each role with a name of its own. What the API accepted is counted; what it refused
/// (503 while the broker is away) is not pushed again, so the count is the workflows that must finish, give or take
/// the roles whose fate is unknown, counted apart: those of a push that timed out on the client, and those the API
/// listed as uncertain (the bus failed while taking them).
/// </summary>
public sealed class SteadyPusher : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _pushing;
    int _accepted;
    int _refused;
    int _unknown;

    SteadyPusher(EtterDeployment deployment, string company, int rolesPerTick, TimeSpan tick) =>
        _pushing = PushAsync(deployment, company, rolesPerTick, tick, _stop.Token);

    public int Accepted => Volatile.Read(ref _accepted);

    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Roles that may or may not have been queued: pushes that timed out on the client, roles the API called uncertain.</summary>
    public int Unknown => Volatile.Read(ref _unknown);

    public static SteadyPusher Start(EtterDeployment deployment, string company, int rolesPerTick, TimeSpan tick) =>
        new(deployment, company, rolesPerTick, tick);

    async Task PushAsync(EtterDeployment deployment, string company, int rolesPerTick, TimeSpan tick, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(tick);
        var next = 0;
        while (await WaitAsync(timer, stop))
        {
            var roles = Enumerable.Range(next, rolesPerTick).Select(i => new
            {
                role_name = $"Steady Role {i:D5}",
                documents = new[] { new { type = "job_description", content = "## Responsibilities\n- Enter claim data\n- Inspect property on site" } },
            }).ToList();
            next += rolesPerTick;
            try
            {
                using var push = await deployment.Http.PostAsJsonAsync("/api/v1/pipeline/push-batch?use_mock=true", new { company_id = company, roles }, CancellationToken.None);
                if (push.StatusCode == HttpStatusCode.OK)
                {
                    var body = await push.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                    var queued = body.GetProperty("workflow_ids").GetArrayLength();
                    var uncertain = body.GetProperty("uncertain").GetArrayLength();
                    Interlocked.Add(ref _accepted, queued);
                    Interlocked.Add(ref _unknown, uncertain);
                    Interlocked.Add(ref _refused, rolesPerTick - queued - uncertain);
                }
                else
                {
                    Interlocked.Add(ref _refused, rolesPerTick);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Add(ref _refused, rolesPerTick);
            }
            catch (TaskCanceledException)
            {
                // The HTTP client's own timeout: the API may still have queued some of them.
                Interlocked.Add(ref _unknown, rolesPerTick);
            }
        }
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops pushing and returns how many roles the API accepted in all.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        await _pushing;
        return Accepted;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pushing;
        _stop.Dispose();
    }
}
