using Etter.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

/// <summary>The saga repository's per-message read, compiled once: it runs for every message the saga consumes.</summary>
static class SagaQueries<TDbContext, TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISagaVersion
{
    /// <summary>The saga row by id, tracked, so the state machine's changes become its update.</summary>
    public static readonly CompiledQuery<Func<TDbContext, Guid, CancellationToken, Task<TSaga?>>> ById = new(() =>
        EF.CompileAsyncQuery((TDbContext db, Guid correlationId, CancellationToken cancellationToken) =>
            db.Set<TSaga>().SingleOrDefault(x => x.CorrelationId == correlationId)));
}
