using System.Diagnostics;
using Etter.IntegrationTests.Infrastructure;
using Etter.Orchestrator.Saga;
using Etter.TestSupport;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// Lose nothing, duplicate nothing, retry only what failed — shown with real processes killed with SIGKILL
/// and real servers restarted under load. Step policies are shortened so lost workers are noticed in seconds.
/// </summary>
[Trait("Category", "Crash")]
public sealed class DurabilityTests : IAsyncLifetime
{
    internal static readonly (string Service, string Key, string Value)[] FastPolicies =
    [
        ("Orchestrator", "Etter__Orchestrator__RoleSetup__MaxAttempts", "6"),
        ("Orchestrator", "Etter__Orchestrator__RoleSetup__InitialDelay", "00:00:00.200"),
        ("Orchestrator", "Etter__Orchestrator__RoleSetup__Timeout", "00:00:15"),
        ("Orchestrator", "Etter__Orchestrator__RoleSetup__StartTimeout", "00:00:30"),
        ("Orchestrator", "Etter__Orchestrator__AiAssessment__StartTimeout", "00:00:30"),
        ("Orchestrator", "Etter__Orchestrator__AiAssessment__MaxAttempts", "6"),
        ("Orchestrator", "Etter__Orchestrator__AiAssessment__InitialDelay", "00:00:00.200"),
        ("Orchestrator", "Etter__Orchestrator__AiAssessment__Timeout", "00:00:15"),
        ("Orchestrator", "Etter__Orchestrator__AiAssessment__HeartbeatTimeout", "00:00:05"),
        ("Orchestrator", "Etter__Orchestrator__SweepInterval", "00:00:00.250"),
        ("AiAssessment", "Etter__Assessment__HeartbeatInterval", "00:00:01"),
    ];

    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task ServicesKilledAtRandomDuring200Workflows_AllFinishWithNothingDuplicated()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment, FastPolicies);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var victims = new[] { "Orchestrator", "RoleSetup", "AiAssessment" };

        var pushing = Task.Run(async () =>
        {
            for (var batch = 0; batch < 10; batch++)
            {
                await Task.WhenAll(Enumerable.Range(batch * 20, 20).Select(i => deployment.PushAsync("Crash Test Co", $"Role {i:D3}")));
            }
        });

        // Kill each service at least once, at random moments, while work is in flight; restart each at once.
        var kills = 0;
        var watch = Stopwatch.StartNew();
        while (kills < 6 || !pushing.IsCompleted)
        {
            await Task.Delay(random.Next(300, 1500));
            var victim = deployment.Get(victims[kills % victims.Length]);
            await victim.KillAsync();
            victim.Start();
            await victim.WaitHealthyAsync();
            kills++;
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), $"pushing did not finish (seed {seed})");
        }

        await pushing;
        await WaitForAllTerminalAsync(deployment, 200, TimeSpan.FromMinutes(3), seed);

        await using var db = await _environment.OpenDatabaseAsync();
        Assert.Equal(200L, await ScalarAsync(db, $"select count(*) from onboarding_state where current_state = '{nameof(OnboardingStateMachine.Ready)}'"));
        Assert.Equal(200L, await ScalarAsync(db, "select count(*) from company_role where company_name = 'Crash Test Co'"));
        Assert.Equal(200L, await ScalarAsync(db, "select count(distinct company_role_id) from job_description"));
        Assert.Equal(200L, await ScalarAsync(db, "select count(*) from job_description"));

        // Every assessment attempt ran at most once (one run row per attempt, by key), and no attempt ran
        // that the saga did not ask for.
        Assert.Equal(0L, await ScalarAsync(db,
            "select count(*) from assessment_run r join onboarding_state s on s.workflow_id = r.workflow_id where r.attempt > s.ai_assessment_attempt"));
        Assert.Equal(200L, await ScalarAsync(db,
            "select count(*) from onboarding_state s join assessment_run r on r.workflow_id = s.workflow_id and r.attempt = s.ai_assessment_attempt and r.status = 'completed'"));
    }

    [Theory]
    [InlineData("rabbitmq")]
    [InlineData("postgres")]
    public async Task ServerRestartedMidRun_EveryWorkflowCompletesWithoutRestartingServices(string server)
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment, FastPolicies);
        var pids = deployment.Processes.Select(p => p.Name).ToList();

        var first = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => deployment.PushAsync("Restart Co", $"{server} role {i:D2}")));
        await RestartAsync(server);
        var second = await Task.WhenAll(Enumerable.Range(40, 40).Select(i => deployment.PushAsync("Restart Co", $"{server} role {i:D2}")));

        await WaitForAllTerminalAsync(deployment, 80, TimeSpan.FromMinutes(2), seed: 0);
        await using var db = await _environment.OpenDatabaseAsync();
        Assert.Equal(80L, await ScalarAsync(db, $"select count(*) from onboarding_state where current_state = '{nameof(OnboardingStateMachine.Ready)}'"));
        Assert.Equal(80, first.Concat(second).Distinct().Count());
        Assert.All(deployment.Processes, p => Assert.True(p.IsRunning, $"{p.Name} stopped"));
        Assert.Equal(pids.Count, deployment.Processes.Count);
    }

    async Task WaitForAllTerminalAsync(EtterDeployment deployment, int expected, TimeSpan timeout, int seed)
    {
        var deadline = DateTime.UtcNow + timeout;
        long terminal = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await using var db = await _environment.OpenDatabaseAsync();
                terminal = await ScalarAsync(db, $"select count(*) from onboarding_state where current_state in {ScratchDatabase.TerminalStates}");
                if (terminal >= expected)
                {
                    return;
                }
            }
            catch (NpgsqlException)
            {
                // The database may be restarting.
            }

            await Task.Delay(500);
        }

        throw new Xunit.Sdk.XunitException(
            $"only {terminal} of {expected} workflows reached a terminal state (seed {seed}); by state: {await DescribeStatesAsync()}.\n{deployment.DescribeServices()}");
    }

    async Task<string> DescribeStatesAsync()
    {
        try
        {
            await using var db = await _environment.OpenDatabaseAsync();
            await using var command = new NpgsqlCommand("select current_state, count(*) from onboarding_state group by current_state order by 1", db);
            await using var reader = await command.ExecuteReaderAsync();
            var states = new List<string>();
            while (await reader.ReadAsync())
            {
                states.Add($"{reader.GetString(0)}={reader.GetInt64(1)}");
            }

            return states.Count == 0 ? "no saga rows" : string.Join(", ", states);
        }
        catch (NpgsqlException ex)
        {
            return $"unknown ({ex.Message})";
        }
    }

    static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    static async Task RestartAsync(string server)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "local", "restart.sh"), server])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"restart.sh {server} failed: {output}");
    }
}
