using System.Text;
using Etter.IntegrationTests.Infrastructure;
using Etter.AiAssessment.Persistence;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.Persistence;
using Etter.RoleSetup.Persistence;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// How PostgreSQL stores the rows the hot path writes past its 2 KB threshold: the saga's long text with lz4, outbox
/// bodies as written. Each service's migrations set this up on its own tables.
/// </summary>
public sealed class PostgresStorageTests : IAsyncLifetime
{
    static readonly DateTimeOffset Now = new(2026, 12, 7, 14, 0, 0, TimeSpan.Zero);

    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await ScratchEnvironment.CreateAsync();
        foreach (var db in new DbContext[] { Orchestrator(), RoleSetup(), AssessmentDb() })
        {
            await using (db)
            {
                await db.Database.MigrateAsync();
            }
        }
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task FinishedWorkflowWithLongAssessment_StatusAndAssessmentCompressedWithLz4()
    {
        var id = Guid.NewGuid();
        await using (var db = Orchestrator())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Workflows.Add(new OnboardingState
            {
                CorrelationId = id,
                CurrentState = "Ready",
                CompanyId = "Liberty Mutual",
                RoleName = "Claims Adjuster",
                RequestJson = "{}",
                QueuedAt = Now,
                UpdatedAt = Now,
                AssessmentJson = AssessmentJson(40),
            });
            await db.WriteChangesAsync(acceptChanges: true, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await using var read = Orchestrator();
        var stored = await read.Database
            .SqlQuery<StoredColumns>($"SELECT pg_column_compression(status_json) AS \"Status\", pg_column_compression(assessment_json) AS \"Assessment\" FROM onboarding_state WHERE workflow_id = {id}")
            .SingleAsync();
        // The assessment alone passes the threshold, so both are compressed whichever goes first.
        Assert.Equal(new StoredColumns("lz4", "lz4"), stored);
    }

    [Fact]
    public async Task OutboxRowPastTheThresholdInEveryService_StoredAsWritten()
    {
        var body = AssessmentJson(40);
        Assert.True(Encoding.UTF8.GetByteCount(body) > 2048, "the body must pass PostgreSQL's compression threshold");
        var sequences = new List<long>();
        foreach (var db in new EtterDbContext[] { Orchestrator(), RoleSetup(), AssessmentDb() })
        {
            await using (db)
            {
                var row = new OutboxMessage { WorkflowId = Guid.NewGuid(), MessageType = "Etter.Contracts.AiAssessmentCompleted", Body = body, CreatedAt = Now };
                db.Set<OutboxMessage>().Add(row);
                await db.SaveChangesAsync();
                sequences.Add(row.Sequence);
            }
        }

        await using var read = Orchestrator();
        var stored = await read.Database.SqlQuery<string>($"""
            SELECT 'outbox_message: ' || coalesce(pg_column_compression(body), 'as written') AS "Value" FROM outbox_message WHERE sequence = {sequences[0]}
            UNION ALL
            SELECT 'role_setup_outbox: ' || coalesce(pg_column_compression(body), 'as written') FROM role_setup_outbox WHERE sequence = {sequences[1]}
            UNION ALL
            SELECT 'assessment_outbox: ' || coalesce(pg_column_compression(body), 'as written') FROM assessment_outbox WHERE sequence = {sequences[2]}
            """).ToListAsync();
        Assert.Equal(["assessment_outbox: as written", "outbox_message: as written", "role_setup_outbox: as written"], stored.Order());
    }

    /// <summary>An assessment's JSON the size of a real one: one entry per task, each with its own text.</summary>
    static string AssessmentJson(int tasks) =>
        "{\"tasks\":[" + string.Join(",", Enumerable.Range(1, tasks).Select(i =>
            $"{{\"task\":\"Review claim file {i} and confirm coverage for loss type {i % 7}\",\"automation\":{i * 37 % 100},\"augmentation\":{i * 53 % 100}}}")) + "]}";

    PostgresOrchestratorDbContext Orchestrator() => _environment.OrchestratorDb();

    PostgresRoleGraphDbContext RoleSetup() =>
        new(new DbContextOptionsBuilder<PostgresRoleGraphDbContext>().UseNpgsql(_environment.PostgresConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_role_graph")).Options);

    PostgresAssessmentDbContext AssessmentDb() =>
        new(new DbContextOptionsBuilder<PostgresAssessmentDbContext>().UseNpgsql(_environment.PostgresConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_assessment")).Options);

    sealed record StoredColumns(string? Status, string? Assessment);
}
