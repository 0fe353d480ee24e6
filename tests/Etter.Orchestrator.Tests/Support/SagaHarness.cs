using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.ReadModel;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Etter.Orchestrator.Tests.Support;

/// <summary>
/// The onboarding saga on MassTransit's in-memory test harness, persisted by our EF Core repository on a
/// throwaway SQLite file. Step services are absent: tests play their part by publishing their events.
/// </summary>
public sealed class SagaHarness : IAsyncDisposable
{
    readonly TempDirectory? _ownedDirectory;
    readonly ServiceProvider _provider;

    SagaHarness(string? dataDirectory, Action<IServiceCollection>? configure, Action<IBusRegistrationConfigurator>? registerMore, IDictionary<string, string?>? settings)
    {
        if (dataDirectory is null)
        {
            _ownedDirectory = new TempDirectory();
            dataDirectory = _ownedDirectory.Path;
        }

        var configuration = EmbeddedConfiguration.For(dataDirectory, settings);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostApplicationLifetime, StartedLifetime>();
        services.AddOrchestrator(configuration);
        services.AddWorkflowReadModel(configuration);
        configure?.Invoke(services);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddOrchestratorComponents();
            registerMore?.Invoke(bus);
            bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(1));
        });
        _provider = services.BuildServiceProvider(validateScopes: true);
    }

    public ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    public IServiceProvider Services => _provider;

    public ISagaStateMachineTestHarness<OnboardingStateMachine, OnboardingState> Saga =>
        Harness.GetSagaStateMachineHarness<OnboardingStateMachine, OnboardingState>();

    public OnboardingStateMachine Machine => _provider.GetRequiredService<OnboardingStateMachine>();

    public Etter.Orchestrator.Deadlines.DeadlineSweeper Sweeper => _provider.GetRequiredService<Etter.Orchestrator.Deadlines.DeadlineSweeper>();

    /// <summary>Runs the deadline sweeper once, as its timer would.</summary>
    public Task<int> SweepAsync() => Sweeper.SweepOnceAsync(CancellationToken.None);

    public static async Task<SagaHarness> StartAsync(
        Action<IServiceCollection>? configure = null,
        Action<IBusRegistrationConfigurator>? registerMore = null,
        string? dataDirectory = null,
        IDictionary<string, string?>? settings = null)
    {
        var harness = new SagaHarness(dataDirectory, configure, registerMore, settings);
        await using (var scope = harness._provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Database.MigrateAsync();
        }

        await harness.Harness.Start();
        return harness;
    }

    /// <summary>Reads the saga row as committed, bypassing any cache.</summary>
    public async Task<OnboardingState?> LoadAsync(Guid workflowId)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Workflows.AsNoTracking()
            .SingleOrDefaultAsync(x => x.CorrelationId == workflowId);
    }

    /// <summary>Waits until the saga row satisfies <paramref name="condition"/>; fails the test after the timeout.</summary>
    public async Task<OnboardingState> WaitForAsync(Guid workflowId, Func<OnboardingState, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        OnboardingState? last = null;
        while (!cts.IsCancellationRequested)
        {
            last = await LoadAsync(workflowId);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        throw new Xunit.Sdk.XunitException($"Saga {workflowId} never reached the expected condition; last state: {last?.CurrentState ?? "(none)"}.");
    }

    /// <summary>Waits until the outbox relay has delivered everything committed so far.</summary>
    public async Task DrainOutboxAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            await using (var scope = _provider.CreateAsyncScope())
            {
                var pending = await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>()
                    .Set<Etter.Messaging.Outbox.OutboxMessage>().CountAsync(cts.Token);
                if (pending == 0)
                {
                    return;
                }
            }

            await Task.Delay(10, cts.Token);
        }
    }

    /// <summary>The messages of type <typeparamref name="T"/> sent so far matching <paramref name="filter"/>, once the outbox is drained.</summary>
    public async Task<List<T>> SentAsync<T>(Func<T, bool> filter)
        where T : class
    {
        await DrainOutboxAsync();
        return Harness.Sent.SoFar<T>(x => filter(x.Context.Message)).Select(x => x.Context.Message).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _ownedDirectory?.Dispose();
    }
}
