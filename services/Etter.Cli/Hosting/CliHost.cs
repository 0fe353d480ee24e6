using Etter.Contracts;
using Etter.Embedded;
using Etter.Messaging.Bus;
using Etter.ServiceDefaults.Configuration;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// How long the CLI waits for the broker. The services wait a minute, to outlast a broker's restart; a person at a
    /// prompt is better told at once that nothing can be reached.
    /// </summary>
    static readonly TimeSpan BrokerStartTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long one status question waits for the saga's answer.</summary>
    public static readonly TimeSpan StatusAnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A thin bus client of a distributed deployment, started: publishes requests and asks the saga for status. Missing
    /// settings and a broker that cannot be reached end in <see cref="ServersUnavailableException"/>, one line for the
    /// user instead of a stack trace.
    /// </summary>
    public static async Task<IHost> StartClientAsync(IConfiguration configuration)
    {
        IHost host;
        try
        {
            host = Build(
                configuration,
                services =>
                {
                    services.AddEtterBus(configuration, bus => bus.AddRequestClient<GetOnboardingStatus>(StatusAnswerTimeout));
                    services.Configure<MassTransitHostOptions>(options => options.StartTimeout = BrokerStartTimeout);
                },
                logging =>
                {
                    // A broker that cannot be reached is reported once, in the CLI's own words (below); MassTransit's
                    // warning per connection attempt and the host's failure log would bury that line in stack traces.
                    logging.AddFilter("MassTransit", LogLevel.Critical);
                    logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
                });
        }
        catch (OptionsValidationException ex)
        {
            throw new ServersUnavailableException($"nothing was sent: distributed mode needs the servers' settings. {ex.Message}");
        }

        try
        {
            await host.StartAsync();
            return host;
        }
        catch (Exception ex)
        {
            host.Dispose();
            var cause = ex;
            while (cause.InnerException is not null)
            {
                cause = cause.InnerException;
            }

            var detail = ReferenceEquals(cause, ex) ? ex.Message : $"{ex.Message} ({cause.Message})";
            throw new ServersUnavailableException(
                $"nothing was sent: could not connect to the message broker within {BrokerStartTimeout.TotalSeconds:0} s: {detail}. Start the servers (deploy/local/up.sh) or check the Etter__RabbitMq__* settings.");
        }
    }

    static IHost Build(IConfiguration configuration, Action<IServiceCollection> configure, Action<ILoggingBuilder>? logging = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);

        // EF Core logs a failed command before our retry handles it; the CLI shows only what the user must act on.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error);
        logging?.Invoke(builder.Logging);
        configure(builder.Services);
        return builder.Build();
    }
}
