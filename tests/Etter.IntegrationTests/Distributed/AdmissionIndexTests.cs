using System.Text.Json;
using Etter.IntegrationTests.Infrastructure;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.Orchestrator.Submission;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// Every push asks whether its company has workflows waiting for a slot. The answer must come from the waiting
/// workflows alone, however many the company has had: on PostgreSQL it read every version of every row ever queued.
/// </summary>
public sealed class AdmissionIndexTests : IAsyncLifetime
{
    static readonly DateTimeOffset Now = new(2026, 12, 7, 16, 0, 0, TimeSpan.Zero);

    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await ScratchEnvironment.CreateAsync();
        await using var db = Orchestrator();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task CompanyWithManyFinishedWorkflows_WaitingCheckReadsOnlyTheWaitingOnes()
    {
        // Admitted at the push, then finished: each leaves a queued version behind in every index of the state.
        await AddWorkflowsAsync("Liberty Mutual", 400, awaitingAdmission: false);
        await AddWorkflowsAsync("Acme Corporation", 2, awaitingAdmission: true);
        await using var connection = await _environment.OpenDatabaseAsync();
        await using (var finish = new NpgsqlCommand("UPDATE onboarding_state SET current_state = 'Ready' WHERE company_id = 'Liberty Mutual'; ANALYZE onboarding_state", connection))
        {
            await finish.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + RoleFacts.CompanyWaiting, connection);
        explain.Parameters.AddWithValue("company", "Liberty Mutual");
        var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!).RootElement[0].GetProperty("Plan");

        Assert.Equal(["ix_onboarding_state_admission"], IndexesUsed(plan));
        var buffers = plan.GetProperty("Shared Hit Blocks").GetInt32() + plan.GetProperty("Shared Read Blocks").GetInt32();
        Assert.True(buffers <= 2, $"the check read {buffers} pages for a company with nothing waiting");
    }

    async Task AddWorkflowsAsync(string company, int count, bool awaitingAdmission)
    {
        await using var db = Orchestrator();
        await using var transaction = await db.Database.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            db.Workflows.Add(new OnboardingState
            {
                CorrelationId = Guid.NewGuid(),
                CurrentState = "Queued",
                AwaitingAdmission = awaitingAdmission,
                CompanyId = company,
                RoleName = $"Role {i}",
                RequestJson = "{}",
                QueuedAt = Now.AddSeconds(i),
                UpdatedAt = Now.AddSeconds(i),
            });
        }

        await db.WriteChangesAsync(acceptChanges: true, CancellationToken.None);
        await transaction.CommitAsync();
    }

    static IEnumerable<string> IndexesUsed(JsonElement node)
    {
        var own = node.TryGetProperty("Index Name", out var index) ? [index.GetString()!] : Array.Empty<string>();
        var children = node.TryGetProperty("Plans", out var plans) ? plans.EnumerateArray().SelectMany(IndexesUsed) : [];
        return own.Concat(children).Distinct();
    }

    PostgresOrchestratorDbContext Orchestrator() => _environment.OrchestratorDb();
}
