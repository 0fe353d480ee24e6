using System.Diagnostics;
using Etter.TestSupport;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>The orchestrator's migrate-only mode, used by the Kubernetes migration Job.</summary>
public sealed class MigrateOnlyTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task MigrateOnly_CreatesTheSchemaAndExitsZero()
    {
        // Port 0: it exits before it would serve anything.
        var info = ServiceProcess.CreateStartInfo(RepositoryPaths.ServiceDll("Etter.Orchestrator"), port: 0);
        foreach (var (key, value) in _environment.ServiceEnvironment())
        {
            info.Environment[key] = value;
        }

        info.Environment["Etter__Orchestrator__MigrateOnly"] = "true";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await errors}{await output}");
        await using var db = await _environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("select count(*) from onboarding_state", db);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
