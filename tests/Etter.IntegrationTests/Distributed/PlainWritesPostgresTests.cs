using System.Text.Json;
using Etter.IntegrationTests.Infrastructure;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.History;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.Persistence.PlainWrites;
using Etter.StatusStore;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Etter.IntegrationTests.Distributed;

/// <summary>
/// The saga's unit of work written as plain statements on PostgreSQL (uuid, timestamptz, identity keys), read back through
/// EF Core as the API and the next message read it.
/// </summary>
public sealed class PlainWritesPostgresTests : IAsyncLifetime
{
    static readonly DateTimeOffset Queued = new(2026, 12, 6, 9, 30, 15, 123, TimeSpan.Zero);

    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await ScratchEnvironment.CreateAsync();
        await using var db = Open();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task SagaRowHistoryAndOutboxRows_ReadBackAsWritten()
    {
        var id = Guid.NewGuid();
        var outbox = new OutboxMessage { WorkflowId = id, MessageType = "Etter.Contracts.SetUpRole", Body = "{}", CreatedAt = Queued, RequestId = Guid.NewGuid() };
        var efCoreSaves = 0;
        await using (var db = Open())
        {
            db.SavingChanges += (_, _) => efCoreSaves++;
            await using var transaction = await db.Database.BeginTransactionAsync();
            var saga = Workflow(id);
            db.Workflows.Add(saga);
            db.History.Add(new OnboardingHistoryEntry { WorkflowId = id, At = Queued, Trigger = "pushed", ToStatus = "queued" });
            db.Set<OutboxMessage>().Add(outbox);
            await db.WriteChangesAsync(acceptChanges: true, CancellationToken.None);
            await transaction.CommitAsync();
        }

        // Written by the plain writer, not left to SaveChanges: every shape of the saga's unit of work is one it takes.
        Assert.Equal(0, efCoreSaves);
        Assert.True(outbox.Sequence > 0, $"sequence {outbox.Sequence}");
        await using var read = Open();
        var stored = await read.Workflows.AsNoTracking().SingleAsync(x => x.CorrelationId == id);
        Assert.Equal(
            (1, "Processing", "Liberty Mutual", Queued, 1, Queued.AddSeconds(1), (DateTimeOffset?)Queued.AddMinutes(5)),
            (stored.Version, stored.CurrentState, stored.CompanyId, stored.QueuedAt, stored.RoleSetup.Attempt, stored.RoleSetup.StartedAt, stored.Deadlines.StepAt));
        Assert.Contains("\"status\"", await read.Workflows.Where(x => x.CorrelationId == id).Select(x => EF.Property<string>(x, OrchestratorDbContext.StatusJsonProperty)).SingleAsync(), StringComparison.Ordinal);
        Assert.Equal("pushed", await read.History.Where(x => x.WorkflowId == id).Select(x => x.Trigger).SingleAsync());
        Assert.Equal(outbox.RequestId, await read.Set<OutboxMessage>().Where(x => x.Sequence == outbox.Sequence).Select(x => x.RequestId).SingleAsync());
    }

    [Fact]
    public async Task SagaRowChangedSinceItWasRead_ThrowsConcurrencyException()
    {
        var id = Guid.NewGuid();
        await StoreAsync(Workflow(id));

        await using var stale = Open();
        var old = await stale.Workflows.SingleAsync(x => x.CorrelationId == id);
        await using (var other = Open())
        {
            await using var transaction = await other.Database.BeginTransactionAsync();
            var fresh = await other.Workflows.SingleAsync(x => x.CorrelationId == id);
            fresh.Version++;
            fresh.CurrentState = "Ready";
            await other.WriteChangesAsync(acceptChanges: true, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await using var lost = await stale.Database.BeginTransactionAsync();
        old.Version++;
        old.CurrentState = "Failed";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.WriteChangesAsync(acceptChanges: true, CancellationToken.None));
    }

    [Fact]
    public async Task SagaRowReadAndWrittenWithoutTheTracker_MatchesEfCoresReadOfIt()
    {
        var (full, sparse) = (Everything(Guid.NewGuid()), Workflow(Guid.NewGuid()));
        await StoreAsync(full, sparse);

        await using (var db = Open())
        {
            var rows = Assert.IsType<PlainRows<OnboardingState>>(PlainRows<OnboardingState>.For(db));
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var id in new[] { full.CorrelationId, sparse.CorrelationId })
            {
                var plain = await rows.FindAsync(db, id, CancellationToken.None);
                Assert.Equal(JsonSerializer.Serialize(await db.Workflows.AsNoTracking().SingleAsync(x => x.CorrelationId == id)), JsonSerializer.Serialize(plain));
            }

            var row = (await rows.FindAsync(db, full.CorrelationId, CancellationToken.None))!;
            var original = rows.Copy(row);
            row.CurrentState = "Ready";
            row.AiAssessment.CompletedAt = Queued.AddMinutes(9);
            row.Deadlines.StepAt = null;
            row.Version++;
            Assert.True(await rows.UpdateAsync(db, row, original, CancellationToken.None));
            await transaction.CommitAsync();
        }

        await using var read = Open();
        var stored = await read.Workflows.AsNoTracking().SingleAsync(x => x.CorrelationId == full.CorrelationId);
        Assert.Equal(("Ready", (DateTimeOffset?)Queued.AddMinutes(9), (DateTimeOffset?)null, 2), (stored.CurrentState, stored.AiAssessment.CompletedAt, stored.Deadlines.StepAt, stored.Version));
        var document = await read.Workflows.Where(x => x.CorrelationId == full.CorrelationId).Select(x => EF.Property<string>(x, OrchestratorDbContext.StatusJsonProperty)).SingleAsync();
        Assert.Equal(StatusDocument.Serialize(OnboardingStatusSnapshot.From(stored)), document);
    }

    [Fact]
    public async Task SagaUnitOfWorkWithWritesHeld_ReachesPostgresInOneRoundTrip()
    {
        var id = Guid.NewGuid();
        await StoreAsync(Workflow(id));

        var status = Outbox(id, "Etter.StatusStore.StatusDocument");
        var command = Outbox(id, "Etter.Contracts.RunAiAssessment");
        using var roundTrips = new NpgsqlRoundTrips();
        await using (var db = Open())
        {
            // The saga repository's shape: the row written without the tracker, then history and outbox rows.
            var rows = PlainRows<OnboardingState>.For(db)!;
            await using var transaction = await db.Database.BeginTransactionAsync();
            var row = (await rows.FindAsync(db, id, CancellationToken.None))!;
            var original = rows.Copy(row);
            var read = roundTrips.Count;
            Assert.True(db.HoldWrites());
            row.CurrentState = "Ready";
            row.Version++;
            await rows.UpdateAsync(db, row, original, CancellationToken.None);
            db.History.Add(new OnboardingHistoryEntry { WorkflowId = id, At = Queued, Trigger = "assessed", ToStatus = "ready" });
            db.AddUntracked(status);
            db.AddUntracked(command);
            await db.WriteChangesAsync(acceptChanges: false, CancellationToken.None);
            Assert.Equal((read, 0L), (roundTrips.Count, status.Sequence));
            await db.SendHeldWritesAsync(CancellationToken.None);
            Assert.Equal(read + 1, roundTrips.Count);

            // With PostgreSQL's own placeholders, which Npgsql passes through without parsing the text for named ones.
            Assert.All(roundTrips.Texts, text => Assert.DoesNotContain("@p", text, StringComparison.Ordinal));
            Assert.Contains("$1", roundTrips.Texts[^1], StringComparison.Ordinal);
            await transaction.CommitAsync();
        }

        // The keys the database assigned came back in order, and every row is there.
        Assert.True(status.Sequence > 0 && command.Sequence > status.Sequence, $"sequences {status.Sequence}, {command.Sequence}");
        await using var check = Open();
        var stored = await check.Workflows.AsNoTracking().SingleAsync(x => x.CorrelationId == id);
        Assert.Equal(("Ready", 2), (stored.CurrentState, stored.Version));
        Assert.Equal(1, await check.History.CountAsync(x => x.WorkflowId == id));
        Assert.Equal(2, await check.Set<OutboxMessage>().CountAsync(x => x.WorkflowId == id));
    }

    [Fact]
    public async Task HeldWritesOneOfWhichMatchesNoRow_ThrowConcurrencyExceptionAndAssignNoKey()
    {
        var id = Guid.NewGuid();
        await using var db = Open();
        var rows = PlainRows<OnboardingState>.For(db)!;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var stale = Workflow(id);
        var original = rows.Copy(stale);
        stale.CurrentState = "Ready";
        var outbox = Outbox(id, "Etter.Contracts.RunAiAssessment");
        Assert.True(db.HoldWrites());

        // The update comes first, so on PostgreSQL the insert after it still runs: the batch is checked as a whole.
        await rows.UpdateAsync(db, stale, original, CancellationToken.None);
        db.AddUntracked(outbox);
        await db.WriteChangesAsync(acceptChanges: false, CancellationToken.None);
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SendHeldWritesAsync(CancellationToken.None));
        Assert.Equal(0, outbox.Sequence);
    }

    [Fact]
    public async Task HeldWritesSentWithTheCommit_CommitInTheSameRoundTrip()
    {
        var id = Guid.NewGuid();
        await StoreAsync(Workflow(id));

        var outbox = Outbox(id, "Etter.Contracts.RunAiAssessment");
        using var roundTrips = new NpgsqlRoundTrips();
        await using (var db = Open())
        {
            var rows = PlainRows<OnboardingState>.For(db)!;
            await using var transaction = await db.Database.BeginTransactionAsync();
            var row = (await rows.FindAsync(db, id, CancellationToken.None))!;
            var original = rows.Copy(row);
            var read = roundTrips.Count;
            Assert.True(db.HoldWrites(toCommit: true));
            row.CurrentState = "Ready";
            row.Version++;
            await rows.UpdateAsync(db, row, original, CancellationToken.None);
            db.AddUntracked(outbox);
            await db.WriteChangesAsync(acceptChanges: false, CancellationToken.None);
            Assert.True(await db.SendHeldWritesAndCommitAsync(CancellationToken.None));
            Assert.Equal(read + 1, roundTrips.Count);
            Assert.EndsWith("COMMIT", roundTrips.Texts[^1], StringComparison.Ordinal);

            // Disposed without a commit of its own: the batch committed it, and nothing is rolled back.
        }

        await using var check = Open();
        var stored = await check.Workflows.AsNoTracking().SingleAsync(x => x.CorrelationId == id);
        Assert.Equal(("Ready", 2), (stored.CurrentState, stored.Version));
        Assert.Equal(outbox.Sequence, await check.Set<OutboxMessage>().Where(x => x.WorkflowId == id).Select(x => x.Sequence).SingleAsync());
    }

    [Fact]
    public async Task HeldWritesSentWithTheCommit_OneMatchingNoRow_RollsAllBackWithConcurrencyException()
    {
        var id = Guid.NewGuid();
        await StoreAsync(Workflow(id));

        await using var db = Open();
        var rows = PlainRows<OnboardingState>.For(db)!;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            // Read at a version another writer has moved on from since.
            var stale = (await rows.FindAsync(db, id, CancellationToken.None))!;
            var original = rows.Copy(stale);
            original.Version = 7;
            stale.Version = 8;
            stale.CurrentState = "Failed";
            Assert.True(db.HoldWrites(toCommit: true));
            db.AddUntracked(Outbox(id, "Etter.Contracts.SetUpRole"));
            await rows.UpdateAsync(db, stale, original, CancellationToken.None);
            db.AddUntracked(Outbox(id, "Etter.Contracts.RunAiAssessment"));
            await db.WriteChangesAsync(acceptChanges: false, CancellationToken.None);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SendHeldWritesAndCommitAsync(CancellationToken.None));
            await transaction.RollbackAsync();
        }

        // Neither the rows before the failed write nor those after it were committed.
        await using var check = Open();
        Assert.Equal(0, await check.Set<OutboxMessage>().CountAsync(x => x.WorkflowId == id));
        Assert.Equal("Processing", (await check.Workflows.AsNoTracking().SingleAsync(x => x.CorrelationId == id)).CurrentState);
    }

    [Fact]
    public async Task HeldWriteRefusedByPostgres_ThrowsUpdateExceptionWithTheDatabasesError()
    {
        var id = Guid.NewGuid();
        await StoreAsync(Workflow(id));

        await using var db = Open();
        await using var again = await db.Database.BeginTransactionAsync();
        var outbox = Outbox(id, "Etter.Contracts.SetUpRole");
        db.AddUntracked(outbox);
        db.Workflows.Add(Workflow(id));
        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.WriteChangesAsync(acceptChanges: false, CancellationToken.None));

        // Callers tell a lost race (the same key inserted twice) by the database's own error.
        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(refused.InnerException).SqlState);
        Assert.Equal(0, outbox.Sequence);
    }

    /// <summary>Every column set, none to its default.</summary>
    static OnboardingState Everything(Guid id)
    {
        var saga = Workflow(id);
        saga.Revision = 4;
        saga.LastPublishedStatus = "processing";
        saga.InFlightKey = saga.RoleKey;
        saga.DraupRoleId = "draup-1";
        saga.DraupRoleName = "Adjuster";
        saga.RequestedBy = "cs@example.com";
        saga.BatchId = "batch-1";
        saga.RequestJson = "{\"documents\":[]}";
        saga.InputHash = "hash";
        saga.AssessmentEngine = "mock";
        saga.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        saga.RoleId = "role-1";
        saga.JobDescriptionTitle = "Claims Adjuster";
        saga.JobDescriptionMarkdown = "# JD";
        saga.JobDescriptionSource = "upload";
        saga.FinalScore = 0.4375;
        saga.AssessmentJson = "{}";
        saga.CurrentStep = "ai_assessment";
        saga.AiAssessment = new StepState { Status = "failed", Attempt = 2, AttemptsThisRun = 1, StartedAt = Queued.AddMinutes(2), CompletedAt = Queued.AddMinutes(3), ErrorCode = "LLM_TIMEOUT", ErrorMessage = "slow", ErrorRecoverable = true, SkipReason = "none" };
        saga.Deadlines = new Deadlines { RetryAt = Queued.AddMinutes(4), RetryStep = "ai_assessment", StepAt = Queued.AddMinutes(5), HeartbeatAt = Queued.AddMinutes(6), WorkflowAt = Queued.AddHours(1) };
        saga.NextDeadlineAt = Queued.AddMinutes(4);
        saga.ErrorCode = "LLM_TIMEOUT";
        saga.ErrorMessage = "slow";
        saga.ErrorRecoverable = false;
        saga.FailedStep = "ai_assessment";
        saga.StartedAt = Queued.AddSeconds(1);
        saga.CompletedAt = Queued.AddMinutes(8);
        saga.AwaitingAdmission = true;
        saga.PendingStep = "role_setup";
        saga.AdmittedAt = Queued.AddSeconds(2);
        saga.AdmissionSlot = 3;
        saga.CancelReason = "changed";
        saga.SupersededBy = Guid.NewGuid();
        saga.DuplicateOf = Guid.NewGuid();
        return saga;
    }

    static OnboardingState Workflow(Guid id) => new()
    {
        CorrelationId = id,
        Version = 1,
        CurrentState = "Processing",
        CompanyId = "Liberty Mutual",
        RoleName = "Claims Adjuster",
        RoleKey = "role-" + id.ToString("N"),
        QueuedAt = Queued,
        UpdatedAt = Queued,
        RoleSetup = new StepState { Attempt = 1, Status = "running", StartedAt = Queued.AddSeconds(1) },
        Deadlines = new Deadlines { StepAt = Queued.AddMinutes(5) },
    };

    /// <summary>An outbox row of <paramref name="messageType"/> for the workflow, as the saga queues one.</summary>
    static OutboxMessage Outbox(Guid workflowId, string messageType) =>
        new() { WorkflowId = workflowId, MessageType = messageType, Body = "{}", CreatedAt = Queued };

    /// <summary>Stores the workflows as the saga's first message would, committed.</summary>
    async Task StoreAsync(params OnboardingState[] workflows)
    {
        await using var db = Open();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Workflows.AddRange(workflows);
        await db.WriteChangesAsync(acceptChanges: true, CancellationToken.None);
        await transaction.CommitAsync();
    }

    PostgresOrchestratorDbContext Open() => _environment.OrchestratorDb();
}
