using System.Diagnostics;
using Etter.ReadModel;
using Etter.ServiceDefaults.Configuration;
using MassTransit;
using StackExchange.Redis;

namespace Etter.Api.Health;

/// <summary>
/// Checks every component the pipeline needs, each with a short timeout. The bus and the saga store are
/// required (unhealthy without them: nothing can be pushed or tracked); the status cache, graph and
/// engine only degrade the service.
/// </summary>
public sealed class PipelineHealthService(
    IServiceProvider services,
    IBusControl bus,
    IConfiguration configuration,
    TimeProvider time)
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";
    static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);
    static readonly string[] RequiredComponents = ["rabbitmq", "postgres"];

    public async Task<PipelineHealthResponse> CheckAsync(CancellationToken cancellationToken)
    {
        var embedded = configuration.GetEtterOptions().Mode == EtterMode.Embedded;
        var checks = new Dictionary<string, Task<ComponentHealth>>
        {
            ["rabbitmq"] = Task.FromResult(CheckBus(embedded)),
            ["postgres"] = TimedAsync(CheckSagaStoreAsync, embedded ? "sqlite saga store" : "postgresql saga store", cancellationToken),
            ["redis"] = embedded
                ? Task.FromResult(new ComponentHealth(Healthy, "in-memory status store (embedded mode)"))
                : TimedAsync(CheckRedisAsync, "redis status store", cancellationToken),
        };
        await Task.WhenAll(checks.Values);

        var components = new Dictionary<string, ComponentHealth>
        {
            ["api"] = new(Healthy, "serving requests"),
        };
        foreach (var (name, check) in checks)
        {
            components[name] = await check;
        }

        var graphProvider = configuration["Etter:RoleGraph:Provider"] ?? "relational";
        components["role_graph"] = graphProvider == "relational"
            ? components["postgres"] with { Detail = $"relational role graph on the {(embedded ? "sqlite" : "postgresql")} server" }
            : new ComponentHealth(Healthy, $"{graphProvider} role graph (checked by the RoleSetup service)");
        components["assessment_engine"] = new ComponentHealth(Healthy, $"default engine: {configuration["Etter:Assessment:DefaultEngine"] ?? "rubric"}");

        var overall = RequiredComponents.Any(c => components[c].Status == Unhealthy) ? Unhealthy
            : components.Values.Any(c => c.Status != Healthy) ? Degraded
            : Healthy;
        var version = typeof(PipelineHealthService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return new PipelineHealthResponse(overall, version, time.GetUtcNow(), components);
    }

    ComponentHealth CheckBus(bool embedded)
    {
        var result = bus.CheckHealth();
        var name = embedded ? "in-memory bus (embedded mode)" : "rabbitmq";
        return BusHealthRule.Judge(result.Status, [.. result.Endpoints.Values.Select(endpoint => endpoint.Status)]) switch
        {
            BusHealthStatus.Healthy => new ComponentHealth(Healthy, name),
            BusHealthStatus.Degraded => new ComponentHealth(Degraded, $"{name}: {result.Description}"),
            _ => new ComponentHealth(Unhealthy, $"{name}: {result.Description}"),
        };
    }

    async Task<ComponentHealth> CheckSagaStoreAsync(string name, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WorkflowReader>().CanConnectAsync(cancellationToken)
            ? new ComponentHealth(Healthy, name)
            : new ComponentHealth(Unhealthy, $"{name}: cannot connect");
    }

    async Task<ComponentHealth> CheckRedisAsync(string name, CancellationToken cancellationToken)
    {
        var redis = services.GetRequiredService<IConnectionMultiplexer>();
        await redis.GetDatabase().PingAsync();
        return new ComponentHealth(Healthy, name);
    }

    static async Task<ComponentHealth> TimedAsync(Func<string, CancellationToken, Task<ComponentHealth>> check, string name, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var result = await check(name, cancellationToken).WaitAsync(CheckTimeout, cancellationToken);
            return result with { LatencyMs = watch.ElapsedMilliseconds };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ComponentHealth(Unhealthy, $"{name}: {ex.GetType().Name}: {ex.Message}", watch.ElapsedMilliseconds);
        }
    }
}
