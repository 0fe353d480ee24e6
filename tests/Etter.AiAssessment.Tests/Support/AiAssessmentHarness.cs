using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Persistence;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Etter.AiAssessment.Tests.Support;

/// <summary>
/// The AiAssessment service's consumer, runner and outbox on MassTransit's in-memory test harness, with a migrated
/// throwaway SQLite run log and a fake clock (which the runner's grace and heartbeats and the outbox relay follow).
/// Tests add engines and, if they need to, shape the bus or add settings.
/// </summary>
public sealed class AiAssessmentHarness : IAsyncDisposable
{
    readonly TempDirectory _directory = new();
    readonly ServiceProvider _provider;

    AiAssessmentHarness(
        TimeSpan heartbeatInterval,
        IEnumerable<IAssessmentEngine> engines,
        Action<IBusRegistrationContext, IInMemoryBusFactoryConfigurator>? configureBus,
        IDictionary<string, string?>? settings)
    {
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Etter:Assessment:HeartbeatInterval"] = heartbeatInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
        var configuration = EmbeddedConfiguration.For(_directory.Path, values);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, StartedLifetime>();
        services.AddAiAssessment(configuration);
        foreach (var engine in engines)
        {
            services.AddSingleton(engine);
        }

        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddAiAssessmentComponents();
            bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(1));
            if (configureBus is not null)
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    configureBus(context, cfg);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        _provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    public IServiceProvider Services => _provider;

    public static async Task<AiAssessmentHarness> StartAsync(
        TimeSpan heartbeatInterval,
        IEnumerable<IAssessmentEngine>? engines = null,
        Action<IBusRegistrationContext, IInMemoryBusFactoryConfigurator>? configureBus = null,
        IDictionary<string, string?>? settings = null)
    {
        var harness = new AiAssessmentHarness(heartbeatInterval, engines ?? [], configureBus, settings);
        await using (var scope = harness._provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AssessmentDbContext>().Database.MigrateAsync();
        }

        await harness.Harness.Start();
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
