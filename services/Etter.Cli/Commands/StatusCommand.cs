using Etter.BuildingBlocks.Configuration;
using Etter.BuildingBlocks.Persistence;
using Etter.BuildingBlocks.Status;
using Etter.Cli.Hosting;
using Etter.Orchestrator;
using Etter.Orchestrator.Persistence;
using Microsoft.EntityFrameworkCore;
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
        var file = Path.Combine(etter.ResolveDataDirectory(), OrchestratorRegistrationExtensions.SqliteFileName);
        if (!File.Exists(file))
        {
            return null;
        }

        var services = new ServiceCollection();
        services.AddDbContext<SqliteOrchestratorDbContext>(o => o.UseSqlite(DbContextRegistrationExtensions.SqliteConnectionString(etter, OrchestratorRegistrationExtensions.SqliteFileName)));
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var reader = new SagaStatusReader(scope.ServiceProvider.GetRequiredService<SqliteOrchestratorDbContext>());
        var status = await reader.FindAsync(workflowId, CancellationToken.None);
        return status is null ? null : PipelineStatusMapper.From(status);
    }
}
