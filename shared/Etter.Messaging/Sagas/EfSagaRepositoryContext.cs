using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>The per-message unit of work of <see cref="EfSagaRepositoryContextFactory{TDbContext,TSaga}"/>.</summary>
/// <remarks>
/// With <c>saveAtCommit</c>, saving a new or changed saga only records it (an update not even that): the factory finds the
/// changes, moves the version of a changed saga and writes it once it has opened the transaction, after the state machine
/// ran. A saga loaded by id or added here is held in <see cref="UntrackedSagas{TSaga}"/>, outside EF Core's change tracker,
/// when the saga's shape allows; otherwise, and for sagas found by a query or pre-inserted, EF Core tracks it.
/// </remarks>
public sealed class EfSagaRepositoryContext<TDbContext, TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TDbContext : DbContext
    where TSaga : class, ISagaVersion
    where TMessage : class
{
    readonly TDbContext _db;
    readonly ConsumeContext<TMessage> _consumeContext;
    readonly ISagaConsumeContextFactory<TDbContext, TSaga> _factory;
    readonly bool _saveAtCommit;
    readonly UntrackedSagas<TSaga>? _untracked;

    public EfSagaRepositoryContext(TDbContext db, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<TDbContext, TSaga> factory, bool saveAtCommit)
        : this(db, consumeContext, factory, saveAtCommit, untracked: null)
    {
    }

    internal EfSagaRepositoryContext(TDbContext db, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<TDbContext, TSaga> factory, bool saveAtCommit, UntrackedSagas<TSaga>? untracked)
        : base(consumeContext, db)
    {
        _db = db;
        _consumeContext = consumeContext;
        _factory = factory;
        _saveAtCommit = saveAtCommit;
        _untracked = saveAtCommit ? untracked : null;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);

    /// <summary>
    /// Pre-inserts a new instance (InsertOnInitial). When another consumer won the race the row already
    /// exists; returning null makes MassTransit load that row instead.
    /// </summary>
    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Version = 1;
        _db.Set<TSaga>().Add(instance);

        // The transaction goes on after a lost race (the winner's row is loaded next): only a savepoint makes that
        // possible on PostgreSQL, where a failed statement otherwise aborts the whole transaction.
        var savepoints = _db.Database.AutoSavepointsEnabled;
        _db.Database.AutoSavepointsEnabled = true;
        try
        {
            await _db.SaveChangesAsync(CancellationToken);
        }
        catch (DbUpdateException)
        {
            _db.ChangeTracker.Clear();
            return null!;
        }
        finally
        {
            _db.Database.AutoSavepointsEnabled = savepoints;
        }

        return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = _untracked is not null
            ? await _untracked.LoadAsync(_db, correlationId, CancellationToken)
            : await SagaQueries<TDbContext, TSaga>.ById.For(_db)(_db, correlationId, CancellationToken);
        return instance is null
            ? null!
            : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_untracked is not null)
        {
            _untracked.Add(context.Saga);
            return;
        }

        context.Saga.Version = 1;
        _db.Set<TSaga>().Add(context.Saga);
        await SaveNowAsync();
    }

    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Saved at commit, the factory finds what changed (and moves the version) in the one change detection it runs
        // before writing; doing it here too walked the saga's properties twice more per message.
        if (_saveAtCommit)
        {
            return;
        }

        // Skip the round trip when nothing changed (e.g. an ignored duplicate); the version moves only with the row.
        if (!SagaWrites.HasWrites(_db))
        {
            return;
        }

        if (_db.Entry(context.Saga).State == EntityState.Modified)
        {
            context.Saga.Version++;
        }

        await SaveNowAsync();
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_untracked?.Holds(context.Saga) == true)
        {
            _untracked.Delete(context.Saga);
            return;
        }

        _db.Set<TSaga>().Remove(context.Saga);
        await SaveNowAsync();
    }

    Task SaveNowAsync() => _saveAtCommit ? Task.CompletedTask : SagaWrites.WriteAsync(_db, acceptChanges: true, CancellationToken);

    /// <summary>A new instance the state machine finished at once is not stored; what else it wrote (an answer) still is.</summary>
    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_untracked?.Holds(context.Saga) == true)
        {
            _untracked.Forget(context.Saga);
        }
        else
        {
            _db.Entry(context.Saga).State = EntityState.Detached;
        }

        return Task.CompletedTask;
    }

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        _untracked?.Clear();
        SagaWrites.Forget(_db);
        return Task.CompletedTask;
    }
}
