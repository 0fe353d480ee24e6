using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>Read-only access to saga rows for MassTransit's load/query repositories (test harness, tooling).</summary>
public sealed class EfSagaReadContext<TDbContext, TSaga> :
    BasePipeContext,
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISaga
{
    readonly TDbContext _db;

    public EfSagaReadContext(TDbContext db, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _db = db;
    }

    public async Task<TSaga> Load(Guid correlationId) =>
        (await _db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var instances = await _db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).ToListAsync(cancellationToken);
        return new LoadedSagaRepositoryQueryContext<TSaga>(this, instances);
    }
}
