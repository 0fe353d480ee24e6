using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>
/// Our EF Core saga repository, plugged into MassTransit through its public repository-context
/// factories (MassTransit.EntityFrameworkCore is not available to us). Provider-neutral: the same code
/// runs on SQLite (embedded) and PostgreSQL (distributed).
/// </summary>
/// <remarks>
/// Concurrency is optimistic: the saga's <see cref="ISagaVersion.Version"/> is a concurrency token,
/// bumped on every update. A lost race surfaces as <see cref="DbUpdateConcurrencyException"/> (update)
/// or a unique-key <see cref="DbUpdateException"/> (two first messages inserting the same id), and the
/// saga endpoint's message retry re-runs the message against the fresh row. No row lock is held while
/// the state machine runs, so reads (status queries) never wait on writers. Each message is one
/// <c>SaveChanges</c>, i.e. one transaction at the provider's default isolation (READ COMMITTED on
/// PostgreSQL).
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

    public EfSagaRepositoryContextFactory(TDbContext db, ISagaConsumeContextFactory<TDbContext, TSaga> consumeContextFactory)
    {
        _db = db;
        _consumeContextFactory = consumeContextFactory;
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        // A retried message reuses the scope; start from a clean slate so the retry sees the winner's row.
        _db.ChangeTracker.Clear();
        var repositoryContext = new EfSagaRepositoryContext<TDbContext, TSaga, T>(_db, context, _consumeContextFactory);
        await next.Send(repositoryContext);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        _db.ChangeTracker.Clear();
        var instances = await _db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        var repositoryContext = new EfSagaRepositoryContext<TDbContext, TSaga, T>(_db, context, _consumeContextFactory);
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
