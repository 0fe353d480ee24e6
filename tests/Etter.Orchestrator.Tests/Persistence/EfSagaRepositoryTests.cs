using System.Collections.Concurrent;
using System.Data.Common;
using Etter.Contracts;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.Orchestrator.Tests.Support;
using Etter.ReadModel;
using Etter.StatusStore;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Orchestrator.Tests.Persistence;

/// <summary>Our EF Core saga repository on SQLite: durable across hosts, and no update lost to a race.</summary>
public sealed class EfSagaRepositoryTests
{
    [Fact]
    public async Task SagaSaved_IsReloadedByANewHostOnTheSameFile()
    {
        using var directory = new TempDirectory();
        var id = Guid.NewGuid();
        await using var first = await SagaHarness.StartAsync(dataDirectory: directory.Path);

        // A draft has no step in flight. With one, the new host would count that attempt as lost and start another
        // (LostMessagesRecovery), racing whatever the test sent for the old attempt; EmbeddedKillTests covers that.
        await first.Harness.Bus.Publish(Messages.Onboard(id, draft: true));
        await first.WaitForAsync(id, s => s.CurrentState == first.Machine.Draft.Name);

        // MassTransit keeps a process-wide log context, so the first provider stays undisposed; its bus is gone.
        await first.Harness.Stop();

        await using var second = await SagaHarness.StartAsync(dataDirectory: directory.Path);
        var reloaded = await second.LoadAsync(id);
        Assert.NotNull(reloaded);
        Assert.Equal(second.Machine.Draft.Name, reloaded.CurrentState);
        Assert.Equal("Claims Adjuster", reloaded.RoleName);
        Assert.Equal(0, reloaded.RoleSetup.Attempt);

        // And the new host carries on with the workflow the old one recorded.
        await second.Harness.Bus.Publish(new SubmitOnboarding { WorkflowId = id, RequestedBy = "tests" });
        await second.WaitForAsync(id, s => s.CurrentState == second.Machine.Processing.Name && s.RoleSetup.Attempt == 1);
    }

    [Fact]
    public async Task ConcurrentWritesOfOneRow_SecondWriterGetsAConcurrencyConflict()
    {
        await using var saga = await SagaHarness.StartAsync();
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);

        await using var scopeA = saga.Services.CreateAsyncScope();
        await using var scopeB = saga.Services.CreateAsyncScope();
        var dbA = scopeA.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var dbB = scopeB.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var rowA = await dbA.Workflows.SingleAsync(x => x.CorrelationId == id);
        var rowB = await dbB.Workflows.SingleAsync(x => x.CorrelationId == id);
        rowA.Version++;
        rowA.RoleName = "A";
        rowB.Version++;
        rowB.RoleName = "B";

        await dbA.SaveChangesAsync();
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => dbB.SaveChangesAsync());
    }

    [Fact]
    public async Task FiftyEventsForOneSagaAtOnce_NoUpdateIsLost()
    {
        // Every AiAssessmentStarted for the running attempt is accepted and bumps the revision, so the final
        // revision counts exactly how many updates survived the races (conflicts are retried, not dropped).
        await using var saga = await SagaHarness.StartAsync(registerMore: bus =>
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.ConcurrentMessageLimit = 16));
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        var assessing = await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);

        var started = new AiAssessmentStarted { WorkflowId = id, Attempt = 1, Engine = "llm", StartedAt = DateTimeOffset.UtcNow };
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => saga.Harness.Bus.Publish(started)));

        var final = await saga.WaitForAsync(id, s => s.Revision == assessing.Revision + 50, TimeSpan.FromSeconds(30));
        Assert.Equal(saga.Machine.Processing.Name, final.CurrentState);
        Assert.False(await saga.Harness.Published.Any<Fault<AiAssessmentStarted>>());
    }

    [Fact]
    public async Task AnotherWriterHoldsTheFile_SagaStillLoadsAndRunsTheMessageThenCommitsWhenFree()
    {
        var commands = new SagaCommandLog();
        await using var saga = await StartWithAsync(commands);
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        var before = await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Processing.Name && s.RoleSetup.Attempt >= 1);

        // A transaction of the test holds orchestrator.db: this process's writers queue behind it.
        await using (var scope = saga.Services.CreateAsyncScope())
        {
            var other = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            await using var held = await other.Database.BeginTransactionAsync();
            commands.Watch(id);
            await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));

            // The load needs no write lock: it runs while the file is held. Only the save waits.
            Assert.True(await commands.LoadedOutsideATransaction.WaitAsync(TimeSpan.FromSeconds(10)), "The saga did not load the row while another writer held the file.");
            Assert.Equal(before.Version, (await saga.LoadAsync(id))!.Version);
        }

        var saved = await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
        Assert.Equal(StepStatuses.Completed, saved.RoleSetup.Status);
        Assert.True(commands.SavedInATransaction);
    }

    [Fact]
    public async Task FinishingSaveFailsToCommit_CompanySlotStaysWithTheUnfinishedWorkflow()
    {
        var failCommit = new FailCommitOfSagaUpdate();
        await using var saga = await StartWithAsync(failCommit);
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        var assessing = await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
        var slot = Assert.NotNull(assessing.AdmissionSlot);

        // Ready gives the slot back; the transaction that would record Ready then fails to commit.
        failCommit.Arm(id);
        await saga.Harness.Bus.Publish(Messages.AssessmentCompleted(id));
        Assert.True(await saga.Harness.Published.Any<Fault<AiAssessmentCompleted>>(x => x.Context.Message.Message.WorkflowId == id));

        var after = await saga.LoadAsync(id);
        Assert.Equal(saga.Machine.Processing.Name, after!.CurrentState);
        await using var scope = saga.Services.CreateAsyncScope();
        var holder = await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Slots.AsNoTracking()
            .Where(x => x.CompanyId == assessing.CompanyId && x.Slot == slot).Select(x => x.WorkflowId).SingleAsync();
        Assert.Equal(id, holder);
    }

    [Fact]
    public async Task SagaMessagesSaveInTheirTransaction_WithoutASavepoint()
    {
        // The submission runs in a transaction opened before the load (it has a preparer); a step's result opens one only
        // to write. Neither save needs a savepoint: a failed save ends the attempt.
        var savepoints = new SavepointCounter();
        await using var saga = await StartWithAsync(savepoints);
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);

        Assert.True(savepoints.Transactions >= 2, $"Expected the saga's two transactions, saw {savepoints.Transactions}.");
        Assert.Equal(0, savepoints.Created);
    }

    [Fact]
    public async Task SubmissionAndStepResult_WrittenWithoutEfCoresUpdatePipeline()
    {
        // The saga's rows, its history and its outbox rows are plain statements (PlainChangeWriter); a shape it stopped
        // taking would quietly fall back to SaveChanges and its cost.
        var saves = new SaveChangesCounter();
        await using var saga = await StartWithAsync(saves);
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        var saved = await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);

        Assert.Equal(StepStatuses.Completed, saved.RoleSetup.Status);
        Assert.Equal(0, saves.Count);
    }

    [Fact]
    public async Task PushesFactsAndSlotClaim_RunWhereTheStatementCacheSeesThem()
    {
        // Hand-written SQL sent to the connection directly was parsed again on every push, inside the transaction that
        // holds orchestrator.db; run through EF Core's command execution, it reaches the interceptors (the cache among them).
        var statements = new StatementLog();
        await using var saga = await StartWithAsync(statements);
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);

        Assert.Contains(statements.Texts, sql => sql.Contains("AS in_flight", StringComparison.Ordinal));
        Assert.Contains(statements.Texts, sql => sql.Contains("UPDATE admission_slot SET workflow_id = @workflow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StepResultLoadedAndSaved_OnTheConnectionOpenedOnceForTheMessage()
    {
        var connections = new ConnectionUseLog();
        await using var saga = await StartWithAsync(connections);
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);

        connections.Watch(id);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);

        Assert.Equal(0, connections.OpenedAfterLoad);
    }

    [Fact]
    public async Task StatusForTheStoreInMemory_ReachesItWithoutAnOutboxRow()
    {
        var rows = new OutboxRowLog();
        await using var saga = await StartWithAsync(rows);
        var id = Guid.NewGuid();
        var stored = new TaskCompletionSource<OnboardingStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        saga.Services.GetRequiredService<InMemoryWorkflowStatusStore>().Changed += status =>
        {
            if (status.WorkflowId == id && status.Revision >= 1)
            {
                stored.TrySetResult(status);
            }
        };

        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        var status = await stored.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(OnboardingStatuses.Processing, status.Status);
        Assert.Contains(rows.Destinations, d => d.StartsWith("exchange:", StringComparison.Ordinal));
        Assert.DoesNotContain(rows.Destinations, d => d.StartsWith("status:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StepResultsSaved_EachMovesTheVersionByOne()
    {
        // Saved at commit, a step result's version moves where its changes are detected, once; the version is what
        // makes a writer that loaded the row before another's commit fail instead of overwriting it.
        await using var saga = await SagaHarness.StartAsync();
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        var processing = await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);

        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        var assessing = await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
        Assert.Equal(processing.Version + 1, assessing.Version);

        await saga.Harness.Bus.Publish(Messages.AssessmentCompleted(id));
        var ready = await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Ready.Name);
        Assert.Equal(assessing.Version + 1, ready.Version);
    }

    [Fact]
    public async Task StepResultsSaved_StoredStatusDocumentMatchesTheRowEachTime()
    {
        // A step result's status document is serialized before the write transaction opens; it must still be the row's.
        await using var saga = await SagaHarness.StartAsync();
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);

        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        var assessing = await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
        var afterRoleSetup = await StoredStatusAsync(saga, id);
        Assert.Equal(assessing.Revision, afterRoleSetup.Revision);
        Assert.Equal(StepStatuses.Completed, afterRoleSetup.Steps.Single(x => x.Name == OnboardingSteps.RoleSetup).Status);

        await saga.Harness.Bus.Publish(Messages.AssessmentCompleted(id));
        var ready = await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Ready.Name);
        var afterAssessment = await StoredStatusAsync(saga, id);
        Assert.Equal(ready.Revision, afterAssessment.Revision);
        Assert.Equal(OnboardingStatuses.Ready, afterAssessment.Status);
    }

    [Fact]
    public async Task StepResultsCommitted_TrackerEmptiedInsteadOfBroughtUpToDate()
    {
        // After a step result's commit its unit of work is over: walking every tracked row to mark it saved (copying each
        // value into a snapshot nobody reads again) cost about 5 % of embedded throughput. The rows are simply let go.
        var tracker = new TrackerWorkLog();
        await using var saga = await StartWithAsync(tracker);
        await RunToReadyAsync(saga);

        Assert.True(tracker.Commits >= 3, $"{tracker.Commits} commits observed");
        Assert.Equal(0, tracker.MarkedAfterCommit);
    }

    [Fact]
    public async Task Push_DetectedOnceAndNothingMarkedSavedWhileItHoldsTheFile()
    {
        // A push runs its whole state machine inside its transaction, which on SQLite holds the file every writer of the
        // process waits for. Its changes are found once and written once; marking rows saved waits until after the commit.
        var tracker = new TrackerWorkLog();
        await using var saga = await StartWithAsync(tracker);
        var id = Guid.NewGuid();

        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        var processing = await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);

        Assert.Equal(1, processing.Version);
        Assert.True(tracker.Commits >= 1, $"{tracker.Commits} commits observed");
        Assert.Equal(0, tracker.MarkedInTransaction);
        Assert.Equal(0, tracker.MarkedAfterCommit);
        Assert.Equal(1, tracker.DetectionsInTransaction);
    }

    [Fact]
    public async Task WorkflowRunToReady_SagaRowNeitherMaterializedNorTrackedByEfCore()
    {
        // Tracked, the saga's wide row was the largest EF Core cost per message: each load built an entry and a snapshot of
        // some sixty values, and each save walked them all again. It is read into a plain object and written by comparing
        // it with a copy of itself taken at the load.
        var tracking = new SagaTrackingLog();
        await using var saga = await StartWithAsync(tracking);
        var ready = await RunToReadyAsync(saga);

        Assert.Equal(3, ready.Version);
        Assert.True(tracking.SagaRowWrites >= 3, $"{tracking.SagaRowWrites} saga row writes observed");
        Assert.Equal(0, tracking.TrackedLoads);
        Assert.Equal(0, tracking.WritesWhileTracked);
    }

    [Fact]
    public async Task WorkflowRunToReady_OutboxAndHistoryRowsInsertedWithoutBeingTracked()
    {
        // Outbox and history rows are only ever inserted; tracking each (an entry, snapshots, a state change, then its
        // share of the change detection) cost about 4 % of embedded CPU across the three services' units of work.
        var tracking = new SagaTrackingLog();
        await using var saga = await StartWithAsync(tracking);
        var ready = await RunToReadyAsync(saga);

        Assert.True(tracking.OutboxRowInserts >= 2, $"{tracking.OutboxRowInserts} outbox rows inserted");
        Assert.Equal(0, tracking.OutboxRowsTrackedAtInsert);
        Assert.True(tracking.HistoryRowInserts >= 3, $"{tracking.HistoryRowInserts} history rows inserted");
        Assert.Equal(0, tracking.HistoryRowsTrackedAtInsert);

        // The timeline still reads in the order it happened.
        await using var scope = saga.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var timeline = await db.History.Where(x => x.WorkflowId == ready.CorrelationId).OrderBy(x => x.Id).Select(x => x.ToStatus).ToListAsync();
        Assert.Equal(OnboardingStatuses.Ready, timeline[^1]);
        Assert.Equal(timeline.Count, ready.Revision);
    }

    /// <summary>One workflow pushed, both steps reported done, Ready waited for: the saga's three transitions.</summary>
    static async Task<OnboardingState> RunToReadyAsync(SagaHarness saga)
    {
        var id = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(id));
        await saga.WaitForAsync(id, s => s.RoleSetup.Attempt >= 1);
        await saga.Harness.Bus.Publish(Messages.RoleSetupCompleted(id));
        await saga.WaitForAsync(id, s => s.AiAssessment.Attempt == 1);
        await saga.Harness.Bus.Publish(Messages.AssessmentCompleted(id));
        return await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Ready.Name);
    }

    static async Task<OnboardingStatus> StoredStatusAsync(SagaHarness saga, Guid id)
    {
        await using var scope = saga.Services.CreateAsyncScope();
        return Assert.IsType<OnboardingStatus>(await scope.ServiceProvider.GetRequiredService<WorkflowReader>().FindAsync(id, CancellationToken.None));
    }

    /// <summary>The saga harness with <paramref name="interceptor"/> on every orchestrator context.</summary>
    static Task<SagaHarness> StartWithAsync(IInterceptor interceptor) =>
        SagaHarness.StartAsync(configure: services => services.ConfigureDbContext<SqliteOrchestratorDbContext>(o => o.AddInterceptors(interceptor)));

    static bool Mentions(DbCommand command, Guid workflowId) =>
        command.Parameters.Cast<DbParameter>().Any(p => string.Equals(p.Value?.ToString(), workflowId.ToString(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Sees every statement EF Core runs, however it runs it (a result read, rows counted, or one value).</summary>
    abstract class StatementObserver : DbCommandInterceptor
    {
        protected abstract void Observe(DbCommand command, CommandEventData eventData);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Observe(command, eventData);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Observe(command, eventData);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Observe(command, eventData);
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>Sees how the saga's statements for one workflow ran: its load, and the save of its row.</summary>
    sealed class SagaCommandLog : StatementObserver
    {
        Guid _workflowId;

        public SemaphoreSlim LoadedOutsideATransaction { get; } = new(0);

        public bool SavedInATransaction { get; private set; }

        public void Watch(Guid workflowId) => _workflowId = workflowId;

        protected override void Observe(DbCommand command, CommandEventData eventData)
        {
            if (_workflowId != Guid.Empty && Mentions(command, _workflowId))
            {
                if (command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.Ordinal) && command.CommandText.Contains("\"onboarding_state\"", StringComparison.Ordinal) && command.Transaction is null)
                {
                    LoadedOutsideATransaction.Release();
                }
                else if (command.CommandText.Contains("UPDATE \"onboarding_state\"", StringComparison.Ordinal))
                {
                    SavedInATransaction = command.Transaction is not null;
                }
            }
        }
    }

    /// <summary>
    /// Saga rows EF Core loaded for tracking, saga row writes made while its tracker held a saga, and outbox rows inserted
    /// while the tracker held outbox rows.
    /// </summary>
    sealed class SagaTrackingLog : StatementObserver, IMaterializationInterceptor
    {
        int _trackedLoads;
        int _sagaRowWrites;
        int _writesWhileTracked;
        int _outboxRowInserts;
        int _outboxRowsTrackedAtInsert;
        int _historyRowInserts;
        int _historyRowsTrackedAtInsert;

        public int OutboxRowInserts => Volatile.Read(ref _outboxRowInserts);

        public int OutboxRowsTrackedAtInsert => Volatile.Read(ref _outboxRowsTrackedAtInsert);

        public int HistoryRowInserts => Volatile.Read(ref _historyRowInserts);

        public int HistoryRowsTrackedAtInsert => Volatile.Read(ref _historyRowsTrackedAtInsert);

        public int TrackedLoads => Volatile.Read(ref _trackedLoads);

        public int SagaRowWrites => Volatile.Read(ref _sagaRowWrites);

        public int WritesWhileTracked => Volatile.Read(ref _writesWhileTracked);

        public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
        {
            // Reads for tracking only: the test's own polling reads the row without tracking.
            if (entity is OnboardingState && materializationData.QueryTrackingBehavior == QueryTrackingBehavior.TrackAll)
            {
                Interlocked.Increment(ref _trackedLoads);
            }

            return entity;
        }

        protected override void Observe(DbCommand command, CommandEventData eventData)
        {
            if (command.CommandText.Contains("INSERT INTO \"onboarding_state\"", StringComparison.Ordinal) || command.CommandText.Contains("UPDATE \"onboarding_state\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _sagaRowWrites);
                if (eventData.Context?.ChangeTracker.Entries<OnboardingState>().Any() == true)
                {
                    Interlocked.Increment(ref _writesWhileTracked);
                }
            }
            else if (command.CommandText.Contains("INSERT INTO \"outbox_message\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _outboxRowInserts);
                if (eventData.Context?.ChangeTracker.Entries<Etter.Messaging.Outbox.OutboxMessage>().Any() == true)
                {
                    Interlocked.Increment(ref _outboxRowsTrackedAtInsert);
                }
            }
            else if (command.CommandText.Contains("INSERT INTO \"onboarding_history\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _historyRowInserts);
                if (eventData.Context?.ChangeTracker.Entries<Etter.Orchestrator.History.OnboardingHistoryEntry>().Any() == true)
                {
                    Interlocked.Increment(ref _historyRowsTrackedAtInsert);
                }
            }
        }
    }

    /// <summary>Whether the context that saved one workflow's row opened its connection again since it loaded the row.</summary>
    sealed class ConnectionUseLog : StatementObserver, IDbConnectionInterceptor
    {
        readonly ConcurrentDictionary<DbContext, int> _opensSinceLoad = new();
        Guid _workflowId;

        public int? OpenedAfterLoad { get; private set; }

        public void Watch(Guid workflowId) => _workflowId = workflowId;

        protected override void Observe(DbCommand command, CommandEventData eventData)
        {
            if (_workflowId != Guid.Empty && eventData.Context is { } context && Mentions(command, _workflowId))
            {
                if (command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.Ordinal) && command.CommandText.Contains("\"onboarding_state\"", StringComparison.Ordinal))
                {
                    _opensSinceLoad[context] = 0;
                }
                else if (command.CommandText.Contains("UPDATE \"onboarding_state\"", StringComparison.Ordinal) && _opensSinceLoad.TryGetValue(context, out var opens))
                {
                    OpenedAfterLoad = opens;
                }
            }
        }

        public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is { } context && _opensSinceLoad.ContainsKey(context))
            {
                _opensSinceLoad.AddOrUpdate(context, 1, (_, opens) => opens + 1);
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <summary>The destinations of the outbox rows inserted (null for a publish is left out).</summary>
    sealed class OutboxRowLog : StatementObserver
    {
        public ConcurrentQueue<string> Destinations { get; } = new();

        protected override void Observe(DbCommand command, CommandEventData eventData)
        {
            if (command.CommandText.Contains("INSERT INTO \"outbox_message\"", StringComparison.Ordinal))
            {
                foreach (var value in command.Parameters.Cast<DbParameter>().Select(p => p.Value).OfType<string>().Where(v => v.Contains(':', StringComparison.Ordinal) && !v.StartsWith('{')))
                {
                    Destinations.Enqueue(value);
                }
            }
        }
    }

    /// <summary>The text of every statement EF Core ran.</summary>
    sealed class StatementLog : StatementObserver
    {
        public ConcurrentQueue<string> Texts { get; } = new();

        protected override void Observe(DbCommand command, CommandEventData eventData) => Texts.Enqueue(command.CommandText);
    }

    /// <summary>Counts the saves that went through EF Core's <c>SaveChanges</c>.</summary>
    sealed class SaveChangesCounter : SaveChangesInterceptor
    {
        int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>Counts the transactions committed and the savepoints created in them.</summary>
    sealed class SavepointCounter : DbTransactionInterceptor
    {
        int _transactions;
        int _created;

        public int Transactions => Volatile.Read(ref _transactions);

        public int Created => Volatile.Read(ref _created);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _transactions);
            return Task.CompletedTask;
        }

        public override ValueTask<InterceptionResult> CreatingSavepointAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _created);
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>
    /// Watches the change tracker around each transaction of a context: rows marked saved (moved to Unchanged) and full
    /// change detections while the transaction is open, and rows marked saved after its commit, until the context's next
    /// transaction begins.
    /// </summary>
    sealed class TrackerWorkLog : DbTransactionInterceptor
    {
        enum Phase
        {
            InTransaction,
            AfterCommit,
        }

        readonly ConcurrentDictionary<DbContext, Phase> _phase = new();
        int _commits;
        int _markedInTransaction;
        int _markedAfterCommit;
        int _detectionsInTransaction;

        public int Commits => Volatile.Read(ref _commits);

        public int MarkedInTransaction => Volatile.Read(ref _markedInTransaction);

        public int MarkedAfterCommit => Volatile.Read(ref _markedAfterCommit);

        public int DetectionsInTransaction => Volatile.Read(ref _detectionsInTransaction);

        public void Reset()
        {
            Volatile.Write(ref _commits, 0);
            Volatile.Write(ref _markedInTransaction, 0);
            Volatile.Write(ref _markedAfterCommit, 0);
            Volatile.Write(ref _detectionsInTransaction, 0);
        }

        public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is { } context)
            {
                _phase[context] = Phase.InTransaction;
                Watch(context);
            }

            return ValueTask.FromResult(result);
        }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is { } context)
            {
                Interlocked.Increment(ref _commits);
                _phase[context] = Phase.AfterCommit;
                Watch(context);
            }

            return Task.CompletedTask;
        }

        // A pooled context drops its event handlers between leases, so they are attached again each time.
        void Watch(DbContext context)
        {
            context.ChangeTracker.StateChanged -= OnStateChanged;
            context.ChangeTracker.StateChanged += OnStateChanged;
            context.ChangeTracker.DetectedAllChanges -= OnDetected;
            context.ChangeTracker.DetectedAllChanges += OnDetected;
        }

        void OnStateChanged(object? sender, EntityStateChangedEventArgs e)
        {
            if (e.NewState != EntityState.Unchanged || !_phase.TryGetValue(e.Entry.Context, out var phase))
            {
                return;
            }

            Interlocked.Increment(ref phase == Phase.InTransaction ? ref _markedInTransaction : ref _markedAfterCommit);
        }

        void OnDetected(object? sender, DetectedChangesEventArgs e)
        {
            if (sender is ChangeTracker tracker && _phase.TryGetValue(tracker.Context, out var phase) && phase == Phase.InTransaction)
            {
                Interlocked.Increment(ref _detectionsInTransaction);
            }
        }
    }

    /// <summary>Makes the commit of the transaction that updates one workflow's saga row fail, once armed.</summary>
    sealed class FailCommitOfSagaUpdate : StatementObserver, IDbTransactionInterceptor
    {
        Guid _workflowId;
        DbTransaction? _doomed;

        public void Arm(Guid workflowId) => _workflowId = workflowId;

        protected override void Observe(DbCommand command, CommandEventData eventData)
        {
            if (_workflowId != Guid.Empty && command.Transaction is not null && command.CommandText.Contains("UPDATE \"onboarding_state\"", StringComparison.Ordinal) && Mentions(command, _workflowId))
            {
                _doomed = command.Transaction;
            }
        }

        public ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            ReferenceEquals(transaction, _doomed)
                ? throw new InvalidOperationException("Injected: the disk refused the commit.")
                : ValueTask.FromResult(result);
    }
}
