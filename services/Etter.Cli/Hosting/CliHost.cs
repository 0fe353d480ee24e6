using Etter.Contracts;
using Etter.Embedded;
using Etter.Messaging.Bus;
using Etter.ServiceDefaults.Configuration;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Etter.Cli.Hosting;

/// <summary>Builds the process the CLI runs in: everything in one process (embedded) or a bus client of the servers (distributed).</summary>
static class CliHost
{
    public static IConfiguration BuildConfiguration(CliArguments args)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (args.Option("data-dir") is { } dataDir)
        {
            overrides[$"{EtterOptions.Section}:{nameof(EtterOptions.DataDirectory)}"] = dataDir;
        }

        if (args.Option("mode") is { } mode)
        {
            if (!Enum.TryParse<EtterMode>(mode, ignoreCase: true, out _))
            {
                throw new CliUsageException($"--mode must be 'embedded' or 'distributed', not '{mode}'.");
            }

            overrides[$"{EtterOptions.Section}:{nameof(EtterOptions.Mode)}"] = mode;
        }

        return new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
    }

    /// <summary>The embedded host: every component, the in-memory bus, SQLite under the data directory.</summary>
    public static IHost BuildEmbedded(IConfiguration configuration) =>
        Build(configuration, services => services.AddEtterPipeline(configuration));

    /// <summary>A thin bus client of a distributed deployment: publishes requests and asks the saga for status.</summary>
    public static IHost BuildClient(IConfiguration configuration) =>
        Build(configuration, services => services.AddEtterBus(configuration, bus => bus.AddRequestClient<GetOnboardingStatus>(RequestTimeout.After(s: 10))));

    static IHost Build(IConfiguration configuration, Action<IServiceCollection> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);

        // EF Core logs a failed command before our retry handles it; the CLI shows only what the user must act on.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error);
        configure(builder.Services);
        return builder.Build();
    }
}
