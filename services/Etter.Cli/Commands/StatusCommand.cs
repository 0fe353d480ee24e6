using Etter.Api.Status;
using Etter.Cli.Hosting;
using Etter.ReadModel;
using Etter.ServiceDefaults.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Cli.Commands;

/// <summary><c>etter status &lt;workflowId&gt;</c>: from the stored saga state (embedded) or by asking the saga over the bus (distributed).</summary>
static class StatusCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr)
    {
        var json = args.Flag("json");
        var configuration = CliHost.BuildConfiguration(args);
        args.EnsureAllUsed(maxPositionals: 1);
        if (args.Positionals.Count != 1 || !Guid.TryParse(args.Positionals[0], out var workflowId))
        {
            throw new CliUsageException("Usage: etter status <workflowId> — the workflow id is a GUID printed by 'etter onboard'.");
        }

        var status = configuration.GetEtterOptions().Mode == EtterMode.Embedded
            ? await ReadStoredAsync(configuration, workflowId)
            : await StatusPolling.AskOnceAsync(configuration, workflowId);
        if (status is null)
        {
            stderr.WriteLine($"No workflow {workflowId} found.");
            return ExitCodes.NotFound;
        }

        if (json)
        {
            Output.WriteJson(stdout, status);
        }
        else
        {
            Output.WriteSummary(stdout, status);
        }

        return Output.ExitCodeFor(status.Status);
    }

    static async Task<PipelineStatusResponse?> ReadStoredAsync(IConfiguration configuration, Guid workflowId)
    {
        var etter = configuration.GetEtterOptions();
        if (!File.Exists(Path.Combine(etter.ResolveDataDirectory(), ReadModelRegistrationExtensions.SqliteFileName)))
        {
            return null;
        }

        var services = new ServiceCollection();
        services.AddWorkflowReadModel(configuration);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var status = await scope.ServiceProvider.GetRequiredService<WorkflowReader>().FindAsync(workflowId, CancellationToken.None);
        return status is null ? null : PipelineStatusMapper.From(status);
    }
}
