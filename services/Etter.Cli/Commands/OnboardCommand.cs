using Etter.Api.Status;
using Etter.Cli.Hosting;
using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.ServiceDefaults.Configuration;
using Etter.StatusStore;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Cli.Commands;

/// <summary><c>etter onboard</c>: push one role and follow it to the end.</summary>
static class OnboardCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr)
    {
        var company = args.RequiredOption("company");
        var role = args.RequiredOption("role");
        var useMock = args.Flag("mock");
        var json = args.Flag("json");
        var draft = args.Flag("draft");
        var draupRole = args.Option("draup-role");
        var engine = args.Option("engine");
        var jdFile = args.Option("jd-file");
        var timeout = TimeSpan.FromSeconds(ParseSeconds(args.Option("timeout"), 300));
        var configuration = CliHost.BuildConfiguration(args);
        args.EnsureAllUsed(maxPositionals: 0);

        if (engine is not null && useMock)
        {
            throw new CliUsageException("Use either --mock or --engine, not both.");
        }

        var embedded = configuration.GetEtterOptions().Mode == EtterMode.Embedded;
        if (engine is not null)
        {
            if (!embedded)
            {
                throw new CliUsageException("--engine picks the engine of the one-process pipeline; in distributed mode the AiAssessment service's default engine runs (use --mock for the mock).");
            }

            if (engine is not ("rubric" or "llm" or "mock"))
            {
                throw new CliUsageException($"--engine: '{engine}' is not one of rubric, llm, mock.");
            }

            configuration = new ConfigurationBuilder()
                .AddConfiguration(configuration)
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Etter:Assessment:DefaultEngine"] = engine })
                .Build();
        }

        var documents = new List<RoleDocument>();
        if (jdFile is not null)
        {
            if (!File.Exists(jdFile))
            {
                throw new CliUsageException($"--jd-file: no such file '{jdFile}'.");
            }

            documents.Add(new RoleDocument
            {
                Type = DocumentTypes.JobDescription,
                Content = await File.ReadAllTextAsync(jdFile),
                Name = Path.GetFileName(jdFile),
            });
        }

        var request = new OnboardRoleRequested
        {
            WorkflowId = NewId.NextGuid(),
            CompanyId = company,
            RoleName = role,
            DraupRoleName = draupRole,
            Documents = documents,
            Options = new OnboardingOptions { UseMockAssessment = useMock, Draft = draft },
            RequestedBy = $"cli:{Environment.UserName}",
            RequestedAt = DateTimeOffset.UtcNow,
        };
        var progress = json ? stderr : stdout;
        progress.WriteLine($"Onboarding \"{role}\" at {company} (workflow {request.WorkflowId})");

        var final = embedded
            ? await RunEmbeddedAsync(configuration, request, progress, timeout)
            : await StatusPolling.PublishAndFollowAsync(configuration, request, progress, timeout);
        if (final is null)
        {
            stderr.WriteLine($"Timed out after {timeout.TotalSeconds:0} s; the workflow goes on. Check it with: etter status {request.WorkflowId}");
            return ExitCodes.TimedOut;
        }

        if (json)
        {
            Output.WriteJson(stdout, final);
        }
        else
        {
            Output.WriteSummary(stdout, final);
        }

        return draft && final.Status == OnboardingStatuses.Draft ? ExitCodes.Ready : Output.ExitCodeFor(final.Status);
    }

    static async Task<PipelineStatusResponse?> RunEmbeddedAsync(IConfiguration configuration, OnboardRoleRequested request, TextWriter progress, TimeSpan timeout)
    {
        using var host = CliHost.BuildEmbedded(configuration);
        var store = host.Services.GetRequiredService<InMemoryWorkflowStatusStore>();
        var finished = new TaskCompletionSource<PipelineStatusResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var printLock = new Lock();
        store.Changed += changed =>
        {
            if (changed.WorkflowId != request.WorkflowId)
            {
                return;
            }

            var status = PipelineStatusMapper.From(changed);
            lock (printLock)
            {
                progress.WriteLine(Output.Progress(status));
            }

            var stopsHere = request.Options?.Draft == true ? status.Status == OnboardingStatuses.Draft : OnboardingStatuses.IsTerminal(status.Status);
            if (stopsHere)
            {
                finished.TrySetResult(status);
            }
        };

        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<IPublishEndpoint>().PublishBoundedAsync(request);
            return await finished.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    internal static int ParseSeconds(string? value, int fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : throw new CliUsageException($"--timeout must be a positive number of seconds, not '{value}'.");
    }
}
