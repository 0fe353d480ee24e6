using Etter.Messaging.Outbox;
using Etter.Persistence;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Messaging.Sagas;

/// <summary>
/// Our EF Core saga repository, plugged into MassTransit through its public repository-context
/// factories (MassTransit.EntityFrameworkCore is not available to us). Provider-neutral: the same code
/// runs on SQLite (embedded) and PostgreSQL (distributed).
/// </summary>
/// <remarks>
/// <para>
/// Each message is one transaction at the provider's default isolation (READ COMMITTED on PostgreSQL): the load,
/// any facts an <see cref="ISagaMessagePreparer{TDbContext,TMessage}"/> reads, and one write, just before the commit, of
/// the row, its history and its outbox rows; the outbox rows are handed off for delivery right after the commit. The saga
/// row itself is read and written without EF Core's change tracker where its shape allows (<see cref="UntrackedSagas{TSaga}"/>).
/// Concurrency is optimistic: the saga's <see cref="ISagaVersion.Version"/> is a concurrency token, bumped on every update.
/// A lost race surfaces as <see cref="DbUpdateConcurrencyException"/> (update) or a unique-key
/// <see cref="DbUpdateException"/> (two first messages inserting the same id), and the saga endpoint's message retry
/// re-runs the message against the fresh row. No row lock is taken by the load, so reads (status queries) never wait on
/// writers.
/// </para>
/// <para>
/// On SQLite, a message without a preparer opens its transaction only to save. SQLite has one writer per file and
/// <see cref="Etter.Persistence.Sqlite.SqliteWriteGate"/> queues this process's writers, so a transaction opened
/// before the load held the file through the load and the whole state machine: every saga message of the process ran
/// one at a time, and the embedded host used two thirds of its cores. The version check makes reading outside the
/// transaction safe: a row changed since the load fails the save and the message runs again. A preparer's facts must
/// be read in the transaction that acts on them, so those messages keep the transaction from the start. On
/// PostgreSQL the transaction always comes first: there a read outside it would be one more commit per message.
/// Either way the saga's changes are found once and written just before the commit, and the tracked rows are let go
/// after it: on SQLite whatever else runs while the file is held makes every other writer of the process wait.
/// </para>
/// <para>
/// Saves inside the transaction take no savepoint. EF Core wraps every <c>SaveChanges</c> in a user transaction in one,
/// so that a failed save leaves the transaction usable; here a failed save always ends the attempt (the transaction is
/// rolled back and the message runs again), so the savepoint bought nothing and cost two statements per save, and on
/// PostgreSQL one round trip (Npgsql sends <c>SAVEPOINT</c> with the next command but <c>RELEASE SAVEPOINT</c> on its
/// own). The one save that does go on after a failure, <see cref="EfSagaRepositoryContext{TDbContext,TSaga,TMessage}.Insert"/>,
/// takes its savepoint back.
/// </para>
/// </remarks>
public sealed class EfSagaRepositoryContextFactory<TDbContext, TSaga> :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISagaVersion
{
    readonly TDbContext _db;
    readonly ISagaConsumeContextFactory<TDbContext, TSaga> _consumeContextFactory;
    readonly IServiceProvider _services;
    readonly OutboxHandoff<TDbContext>? _handoff;
    readonly SagaTransaction<TDbContext>? _transaction;
    readonly UntrackedSagas<TSaga>? _untracked;

    public EfSagaRepositoryContextFactory(TDbContext db, ISagaConsumeContextFactory<TDbContext, TSaga> consumeContextFactory, IServiceProvider services)
    {
        _db = db;
        _consumeContextFactory = consumeContextFactory;
        _services = services;
        _handoff = services.GetService<OutboxHandoff<TDbContext>>();
        _transaction = services.GetService<SagaTransaction<TDbContext>>();
        _untracked = UntrackedSagas<TSaga>.For(db);
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var preparer = _services.GetService<ISagaMessagePreparer<TDbContext, T>>();
        var strategy = _db.Database.CreateExecutionStrategy();
        var savepoints = _db.Database.AutoSavepointsEnabled;
        try
        {
            if (preparer is null && _db.RunsOnSqlite())
            {
                // One connection for the load and the write: left to EF Core, each would rent and return its own.
                await _db.Database.OpenConnectionAsync(context.CancellationToken);
                try
                {
                    await RunThenWriteAsync(context, next, strategy);
                }
                finally
                {
                    await _db.Database.CloseConnectionAsync();
                }
            }
            else
            {
                await RunInTransactionAsync(context, next, preparer, strategy);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            // The message's channel closed under it (a broker node died, the connection dropped): the transaction is
            // rolled back and the broker delivers the message again once a consumer is back. Surfacing that as a
            // cancellation of the message's own token keeps MassTransit from faulting it to the _error queue, where
            // the state machine's wrapping of the database's cancellation would otherwise have sent it.
            throw new OperationCanceledException("Abandoned: the message's channel closed while it was handled; it is delivered again.", ex, context.CancellationToken);
        }
        finally
        {
            // The context may serve other work in this scope, which may rely on EF Core's savepoints.
            _db.Database.AutoSavepointsEnabled = savepoints;
        }

        _handoff?.Committed(_db);
    }

    async Task RunInTransactionAsync<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next, ISagaMessagePreparer<TDbContext, T>? preparer, IExecutionStrategy strategy)
        where T : class
    {
        // The saga's changes are written once, just before the commit, as a step result's are on SQLite: saved as the
        // state machine went, each save detected changes and marked the rows saved again, and the final save detected
        // once more. On SQLite all of that ran while this transaction held the file every writer of the process waits for.
        await strategy.ExecuteAsync(async () =>
        {
            StartAttempt();
            await using var transaction = await BeginAsync(context.CancellationToken);
            if (preparer is not null)
            {
                await preparer.PrepareAsync(_db, context);
            }

            await next.Send(new EfSagaRepositoryContext<TDbContext, TSaga, T>(_db, context, _consumeContextFactory, saveAtCommit: true, _untracked));
            if (preparer is not null)
            {
                await preparer.FinishAsync(_db, context);
            }

            // On PostgreSQL the batch of the unit's writes carries the COMMIT: one round trip fewer per message.
            if (!await WritePreparedAsync(context.CancellationToken))
            {
                await transaction.CommitAsync(context.CancellationToken);
            }
        });

        // Written and committed: see RunThenWriteAsync for why the rows are let go rather than marked saved.
        _db.ChangeTracker.Clear();
        _untracked?.Clear();
    }

    /// <summary>
    /// In the open transaction, writes what the state machine changed: changes detected once (with the derived columns and
    /// the moved versions), then written without accepting them, and without detecting again. True when the writes went
    /// with the transaction's commit (see <see cref="SaveAsync"/>).
    /// </summary>
    async Task<bool> WritePreparedAsync(CancellationToken cancellationToken)
    {
        var detectChanges = _db.ChangeTracker.AutoDetectChangesEnabled;
        _db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            PrepareWrite();
            return await SaveAsync(cancellationToken, commit: true);
        }
        finally
        {
            _db.ChangeTracker.AutoDetectChangesEnabled = detectChanges;
        }
    }

    /// <summary>Detects the changes once, fills derived columns and moves the versions of changed sagas.</summary>
    void PrepareWrite()
    {
        if (_db is EtterDbContext etter)
        {
            etter.PrepareSave();
        }
        else
        {
            _db.ChangeTracker.DetectChanges();
        }

        MoveVersionsOfChangedSagas();
        _untracked?.Prepare();
    }

    /// <summary>Loads and runs the state machine outside any transaction, then opens one only to write what it changed.</summary>
    async Task RunThenWriteAsync<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next, IExecutionStrategy strategy)
        where T : class
    {
        await strategy.ExecuteAsync(async () =>
        {
            StartAttempt();
            await next.Send(new EfSagaRepositoryContext<TDbContext, TSaga, T>(_db, context, _consumeContextFactory, saveAtCommit: true, _untracked));

            // The transaction holds the file: SQLite has one writer, and this process's writers queue for it. What the save
            // can work out beforehand (changes detected, derived columns) is done before it is opened; in between only the
            // enlisted writes and the statements run, none of which touch a tracked entity, so change detection stays off
            // from here on.
            var detectChanges = _db.ChangeTracker.AutoDetectChangesEnabled;
            _db.ChangeTracker.AutoDetectChangesEnabled = false;
            try
            {
                PrepareWrite();
                if (!SagaWrites.HasWrites(_db) && _untracked?.HasWrites != true && _transaction?.HasWaiting != true)
                {
                    return;
                }

                await using var transaction = await BeginAsync(context.CancellationToken);
                await SaveAsync(context.CancellationToken, commit: false);
                await transaction.CommitAsync(context.CancellationToken);
            }
            finally
            {
                _db.ChangeTracker.AutoDetectChangesEnabled = detectChanges;
            }

            // The unit of work ends with its commit. Accepting the changes walked every tracked row to copy its values into
            // snapshots nothing reads again (a retry starts from a cleared tracker, the pooled context is reset next), and
            // cost about 5 % of embedded throughput; letting the rows go is enough.
            _db.ChangeTracker.Clear();
            _untracked?.Clear();
        });
    }

    /// <summary>A saga row written at commit moves its version (the concurrency token) only if it changed.</summary>
    void MoveVersionsOfChangedSagas()
    {
        foreach (var entry in _db.ChangeTracker.Entries<TSaga>())
        {
            if (entry.State == EntityState.Modified)
            {
                var version = entry.Property<int>(nameof(ISagaVersion.Version));
                version.CurrentValue = version.OriginalValue + 1;
            }
        }
    }

    async Task<IDbContextTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        var transaction = await _db.Database.BeginTransactionAsync(cancellationToken);
        _db.Database.AutoSavepointsEnabled = false;
        return transaction;
    }

    /// <summary>A retried message reuses the scope; start from a clean slate so the retry sees the winner's row.</summary>
    void StartAttempt()
    {
        SagaWrites.Forget(_db);
        _untracked?.Clear();
        _handoff?.Discard(_db);
        _transaction?.Reset();
    }

    /// <summary>
    /// Inside the open transaction: the enlisted writes that waited for it, then what the state machine changed (the saga
    /// row, its history and outbox rows, or an answer to a request written without recording a change). The changes are
    /// not accepted: the rows are let go after the commit. With <paramref name="commit"/>, where the provider batches the
    /// writes (PostgreSQL), the batch ends with the transaction's COMMIT; true when it did, and the caller must not commit.
    /// </summary>
    async Task<bool> SaveAsync(CancellationToken cancellationToken, bool commit)
    {
        if (_transaction is not null)
        {
            await _transaction.RunWaitingAsync(cancellationToken);
        }

        // The saga row, its history and its outbox rows go in one batch where the provider has batches (PostgreSQL): one
        // round trip for the unit of work's writes, not one per row. A failed write leaves nothing held for a retry: the
        // next attempt starts by forgetting what this one queued.
        var etter = _db as EtterDbContext;
        var holding = etter?.HoldWrites(toCommit: commit) == true;
        if (_untracked?.HasWrites == true)
        {
            await _untracked.WriteAsync(_db, cancellationToken);
        }

        if (SagaWrites.HasWrites(_db))
        {
            await SagaWrites.WriteAsync(_db, acceptChanges: false, cancellationToken);
        }

        if (!holding)
        {
            return false;
        }

        if (commit)
        {
            return await etter!.SendHeldWritesAndCommitAsync(cancellationToken);
        }

        await etter!.SendHeldWritesAsync(cancellationToken);
        return false;
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        _db.ChangeTracker.Clear();
        var instances = await _db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        var repositoryContext = new EfSagaRepositoryContext<TDbContext, TSaga, T>(_db, context, _consumeContextFactory, saveAtCommit: false);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new EfSagaReadContext<TDbContext, TSaga>(_db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new EfSagaReadContext<TDbContext, TSaga>(_db, cancellationToken));

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Add("persistence", "etter-efcore");
        context.Add("provider", _db.Database.ProviderName ?? "unknown");
    }
}
