using Etter.AiAssessment.Engines;
using Etter.Benchmarks.Measurement;
using Etter.Contracts;
using Etter.Embedded;
using Etter.StatusStore;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Etter.Benchmarks.Embedded;

/// <summary>
/// The whole pipeline in this process, composed exactly as the CLI does it (AddEtterPipeline, in-memory
/// bus, SQLite files in a data directory), plus the benchmark's counters and a gated assessment engine.
/// </summary>
public sealed class EmbeddedSystem : IAsyncDisposable
{
    public const string Company = "Acme Corporation";

    /// <summary>
    /// Every benchmark workflow belongs to one company, whose admission limit (200 by default) would otherwise
    /// cap the workflows in flight; admission still runs for each workflow, so its cost stays in the figures.
    /// </summary>
    public const string BenchmarkAdmissionLimit = "100000";

    /// <summary>Two responsibilities, so role_setup finds a JD and the mock engine has activities to score.</summary>
    public const string JobDescription = "## Responsibilities\n- Enter claim data into the claims system\n- Inspect damaged property on site";

    readonly IHost _host;
    readonly InMemoryWorkflowStatusStore _store;
    readonly IBus _bus;
    volatile WorkflowTracker? _tracker;

    EmbeddedSystem(IHost host, string dataDirectory, GatedAssessmentEngine gate, BusMessageCounter messages, CountingLoggerProvider logs)
    {
        _host = host;
        DataDirectory = dataDirectory;
        Gate = gate;
        Messages = messages;
        Logs = logs;
        _store = host.Services.GetRequiredService<InMemoryWorkflowStatusStore>();
        _bus = host.Services.GetRequiredService<IBus>();
        _store.Changed += OnChanged;
    }

    public string DataDirectory { get; }

    public GatedAssessmentEngine Gate { get; }

    public BusMessageCounter Messages { get; }

    public CountingLoggerProvider Logs { get; }

    /// <summary>Where status changes go; one tracker per scenario.</summary>
    public WorkflowTracker? Tracker
    {
        get => _tracker;
        set => _tracker = value;
    }

    public static async Task<EmbeddedSystem> StartAsync(string dataDirectory, IDictionary<string, string?>? settings = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Etter:Mode"] = "Embedded",
            ["Etter:DataDirectory"] = dataDirectory,
            ["Etter:Orchestrator:MaxActivePerCompany"] = BenchmarkAdmissionLimit,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(configuration);
        var logs = new CountingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(logs);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= LogLevel.Error);

        // As in the services: a lost optimistic-concurrency race is routine and retried, not an error.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Critical);

        var gate = new GatedAssessmentEngine();
        var messages = new BusMessageCounter();
        builder.Services.AddEtterPipeline(configuration);
        builder.Services.AddSingleton<IAssessmentEngine>(gate);
        builder.Services.AddConsumeObserver(_ => messages);
        builder.Services.AddSendObserver(_ => messages);
        builder.Services.AddPublishObserver(_ => messages);

        var host = builder.Build();
        await host.StartAsync();
        return new EmbeddedSystem(host, dataDirectory, gate, messages, logs);
    }

    /// <summary>Publishes one OnboardRoleRequested, as the CLI and the embedded API do; the run is registered first.</summary>
    public async Task PushAsync(WorkflowTracker tracker, WorkflowRun run, bool useMock, string? batchId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(run);
        run.WorkflowId = NewId.NextGuid();
        var request = new OnboardRoleRequested
        {
            WorkflowId = run.WorkflowId,
            CompanyId = Company,
            RoleName = run.RoleName,
            Documents = [new RoleDocument { Type = DocumentTypes.JobDescription, Content = JobDescription }],
            Options = new OnboardingOptions { UseMockAssessment = useMock },
            RequestedBy = "etter-bench",
            BatchId = batchId,
            RequestedAt = DateTimeOffset.UtcNow,
        };
        tracker.Register(run);
        run.MarkPushStarted();
        await _bus.Publish(request, cancellationToken);
        run.MarkPushed();
        tracker.RecordPushed(run);
    }

    /// <summary>The saga rows of one scenario, straight from the orchestrator's SQLite file (read-only, WAL allows it).</summary>
    public async Task<Dictionary<Guid, SagaRow>> ReadSagaRowsAsync(string rolePrefix, CancellationToken cancellationToken)
    {
        var path = Path.Combine(DataDirectory, Orchestrator.OrchestratorRegistrationExtensions.SqliteFileName);
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        return await SagaRows.ReadAsync(connection, rolePrefix, cancellationToken);
    }

    void OnChanged(OnboardingStatus status) =>
        _tracker?.Observe(status.WorkflowId, status.Status, status.CurrentStep, status.Revision, status.UpdatedAt, DateTimeOffset.UtcNow);

    public async ValueTask DisposeAsync()
    {
        _store.Changed -= OnChanged;
        Gate.Open();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _host.StopAsync(stop.Token);
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
