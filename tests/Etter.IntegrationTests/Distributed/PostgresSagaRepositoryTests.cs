using Etter.Contracts;
using Etter.IntegrationTests.Infrastructure;
using Etter.Messaging.Bus;
using Etter.Orchestrator;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>The same EF Core saga repository as embedded mode, on PostgreSQL, under contention.</summary>
public sealed class PostgresSagaRepositoryTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await ScratchEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task FiftyConcurrentEventsForOneSaga_LeaveAConsistentStateWithNoLostUpdate()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Etter:Mode"] = "Distributed",
            ["Etter:Postgres:ConnectionString"] = _environment.PostgresConnectionString,
            ["Etter:Redis:Configuration"] = _environment.Settings.RedisConfiguration,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        // No host here: report "started" at once so the outbox relay delivers.
        services.AddSingleton<IHostApplicationLifetime, StartedLifetime>();
        services.AddOrchestrator(configuration);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddOrchestratorComponents();
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.ConcurrentMessageLimit = 16);
        });
        await using var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Database.MigrateAsync();
        }

        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var id = Guid.NewGuid();
        await harness.Bus.Publish(new OnboardRoleRequested { WorkflowId = id, CompanyId = "Acme Corporation", RoleName = "Data Scientist", RequestedAt = DateTimeOffset.UtcNow });
        await WaitForRevisionAsync(id, r => r >= 1, admitted: true);
        await harness.Bus.Publish(new RoleSetupCompleted
        {
            WorkflowId = id,
            Attempt = 1,
            RoleId = "r",
            StartedAt = DateTimeOffset.UtcNow,
            CompletedAt = DateTimeOffset.UtcNow,
            JobDescription = new JobDescriptionSummary { Title = "Data Scientist", Markdown = "## Key Responsibilities\n- Build models", Source = "document" },
        });
        var assessing = await WaitForRevisionAsync(id, r => r >= 2);

        // Every start of the running attempt is accepted and bumps the revision: the final revision counts the
        // updates that survived the races (conflicts are retried, not dropped).
        var started = new AiAssessmentStarted { WorkflowId = id, Attempt = 1, Engine = "llm", StartedAt = DateTimeOffset.UtcNow };
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => harness.Bus.Publish(started)));

        var final = await WaitForRevisionAsync(id, r => r == assessing + 50);
        Assert.Equal(assessing + 50, final);
        Assert.False(await harness.Published.Any<Fault<AiAssessmentStarted>>());
        await harness.Stop();
    }

    [Fact]
    public async Task TwoOrchestratorsOnTwoPartitions_EachWorkflowStaysOnOneAndNoUpdateIsLost()
    {
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var second = deployment.Add("Orchestrator", instanceName: "Orchestrator-2");
        second.Start();
        await second.WaitHealthyAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => deployment.PushAsync("Walmart Inc.", $"Store Manager {i}")));
        foreach (var id in ids)
        {
            Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id, TimeSpan.FromSeconds(90))).GetProperty("status").GetString());
        }

        // Three transitions each (requested, role_setup completed, ready), every one a write of its own.
        var shapes = await ShapesAsync();
        Assert.True(40 == await CountAsync(
            $"""
            select count(*) from onboarding_state
            where current_state = '{nameof(OnboardingStateMachine.Ready)}' and version >= revision and revision = 3
              and role_setup_status = 'completed' and ai_assessment_status = 'completed' and final_score is not null and role_id is not null
            """), "state/version/revision: " + shapes);

        // The consistent-hash exchange spread the workflows over both partitions, and no instance ever lost a race.
        Assert.Equal(1, await ConsumerCountAsync(CommandQueues.OnboardingSagaPartition(0), expected: 1));
        Assert.Equal(1, await ConsumerCountAsync(CommandQueues.OnboardingSagaPartition(1), expected: 1));
        foreach (var orchestrator in new[] { deployment.Get("Orchestrator"), second })
        {
            Assert.True(await _environment.WaitForQueueStatAsync(CommandQueues.OnboardingSagaPartition(orchestrator == second ? 1 : 0), "deliver_get", n => n > 0));
            Assert.Equal(0, orchestrator.RetryLines);
        }
    }

    [Fact]
    public async Task TwoOrchestratorsOnOnePartition_TheStandbyTakesOverWhenTheActiveDies()
    {
        // Same partition: one active consumer (single active consumer queue), the other waits as a hot standby.
        await using var deployment = await EtterDeployment.StartAsync(_environment);
        var active = deployment.Get("Orchestrator");
        var standby = deployment.Add("Orchestrator", [("Orchestrator", "Etter__Orchestrator__Partition", "0")], instanceName: "Orchestrator-2");
        standby.Start();
        await standby.WaitHealthyAsync();
        var before = await deployment.PushAsync("Walmart Inc.", "Store Manager");
        Assert.Equal("ready", (await deployment.WaitForTerminalAsync(before)).GetProperty("status").GetString());

        await active.KillAsync();
        var after = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => deployment.PushAsync("Walmart Inc.", $"Supply Chain Analyst {i}")));

        foreach (var id in after)
        {
            Assert.Equal("ready", (await deployment.WaitForTerminalAsync(id, TimeSpan.FromSeconds(90))).GetProperty("status").GetString());
        }

        Assert.False(active.IsRunning);
    }

    async Task<string> ShapesAsync()
    {
        await using var db = await _environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("""
            select s.current_state || '/' || s.version || '/' || s.revision || ' [' || coalesce((select string_agg(h.trigger, ',' order by h.id) from onboarding_history h where h.workflow_id = s.workflow_id), '') || ']', count(*)
            from onboarding_state s group by 1
            """, db);
        await using var reader = await command.ExecuteReaderAsync();
        var shapes = new List<string>();
        while (await reader.ReadAsync())
        {
            shapes.Add($"{reader.GetString(0)} x{reader.GetInt64(1)}");
        }

        return string.Join(", ", shapes);
    }

    async Task<long> CountAsync(string sql)
    {
        await using var db = await _environment.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The management API refreshes queue statistics every few seconds, so poll for the expected count.</summary>
    async Task<int> ConsumerCountAsync(string queue, int expected)
    {
        var count = 0;
        for (var i = 0; i < 60 && count != expected; i++)
        {
            var info = await _environment.GetQueueAsync(queue);
            count = info?.TryGetProperty("consumers", out var consumers) == true ? consumers.GetInt32() : 0;
            if (count != expected)
            {
                await Task.Delay(250);
            }
        }

        return count;
    }

    async Task<long> WaitForRevisionAsync(Guid id, Func<long, bool> condition, bool admitted = false)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long revision = -1;
        while (DateTime.UtcNow < deadline)
        {
            await using var db = await _environment.OpenDatabaseAsync();
            // admitted: the role_setup command has been sent, so its attempt-1 events are expected.
            await using var command = new NpgsqlCommand(
                admitted ? "select revision from onboarding_state where workflow_id = @id and role_setup_attempt >= 1" : "select revision from onboarding_state where workflow_id = @id", db);
            command.Parameters.AddWithValue("id", id);
            if (await command.ExecuteScalarAsync() is long value)
            {
                revision = value;
                if (condition(value))
                {
                    return value;
                }
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"revision condition not met; last revision {revision}.");
    }
}
