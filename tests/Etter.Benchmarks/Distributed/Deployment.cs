using System.Globalization;
using Etter.TestSupport;

namespace Etter.Benchmarks.Distributed;

/// <summary>The four services as separate processes on a scratch environment, plus any replicas.</summary>
public sealed class Deployment : IAsyncDisposable
{
    public static readonly string[] Services = ["Orchestrator", "RoleSetup", "AiAssessment", "Api"];

    readonly List<ServiceProcess> _processes = [];
    readonly ScratchEnvironment _environment;
    readonly IReadOnlyList<(string Service, string Key, string Value)> _overrides;

    Deployment(ScratchEnvironment environment, string logDirectory, IReadOnlyList<(string Service, string Key, string Value)> overrides)
    {
        _environment = environment;
        LogDirectory = logDirectory;
        _overrides = overrides;
    }

    public string LogDirectory { get; }

    public IReadOnlyList<ServiceProcess> Processes => _processes;

    public IReadOnlyList<ServiceProcess> Apis => [.. _processes.Where(p => p.Name.StartsWith("Api", StringComparison.Ordinal))];

    public static async Task<Deployment> StartAsync(
        ScratchEnvironment environment,
        string logDirectory,
        IEnumerable<(string Service, string Key, string Value)>? overrides,
        CancellationToken cancellationToken)
    {
        var deployment = new Deployment(environment, logDirectory, overrides?.ToList() ?? []);
        try
        {
            // The orchestrator first: it owns (and migrates) the saga schema the API reads.
            var orchestrator = deployment.Add("Orchestrator", 1);
            orchestrator.Start();
            await orchestrator.WaitHealthyAsync(cancellationToken: cancellationToken);
            var others = new[] { deployment.Add("RoleSetup", 1), deployment.Add("AiAssessment", 1), deployment.Add("Api", 1) };
            foreach (var process in others)
            {
                process.Start();
            }

            await Task.WhenAll(others.Select(p => p.WaitHealthyAsync(cancellationToken: cancellationToken)));
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts instances 2 to <paramref name="replicas"/> of every service and waits until all are healthy.</summary>
    public async Task AddReplicasAsync(int replicas, CancellationToken cancellationToken)
    {
        var added = new List<ServiceProcess>();
        foreach (var service in Services)
        {
            for (var replica = 2; replica <= replicas; replica++)
            {
                if (_processes.All(p => p.Name != Name(service, replica)))
                {
                    added.Add(Add(service, replica));
                }
            }
        }

        foreach (var process in added)
        {
            process.Start();
        }

        await Task.WhenAll(added.Select(p => p.WaitHealthyAsync(cancellationToken: cancellationToken)));
    }

    public ServiceProcess Get(string name) => _processes.Single(p => p.Name == name);

    public IEnumerable<(string Name, int Pid)> RunningPids() =>
        _processes.Where(p => p.Pid is not null).Select(p => (p.Name, p.Pid!.Value));

    ServiceProcess Add(string service, int replica)
    {
        var settings = _environment.ServiceEnvironment();

        // As in embedded mode: every benchmark workflow belongs to one company, whose admission limit would cap them.
        settings["Etter__Orchestrator__MaxActivePerCompany"] = Embedded.EmbeddedSystem.BenchmarkAdmissionLimit;

        // Each orchestrator consumes its own saga partition, so a second instance takes half the workflows instead of
        // standing by on partition 0. Replicas start between scenarios, with nothing in flight to re-route.
        if (service == "Orchestrator")
        {
            settings["Etter__Orchestrator__Partition"] = (replica - 1).ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (target, key, value) in _overrides)
        {
            if (target == service)
            {
                settings[key] = value;
            }
        }

        var process = new ServiceProcess(Name(service, replica), RepositoryPaths.ServiceDll($"Etter.{service}"), settings, LogDirectory);
        _processes.Add(process);
        return process;
    }

    static string Name(string service, int replica) => replica == 1 ? service : $"{service}#{replica}";

    public async ValueTask DisposeAsync()
    {
        // Workers before the orchestrator, so nothing is left half-handled; all are killed anyway.
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }
    }
}
