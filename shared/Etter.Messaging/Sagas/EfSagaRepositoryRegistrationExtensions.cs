using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Etter.Messaging.Sagas;

public static class EfSagaRepositoryRegistrationExtensions
{
    /// <summary>
    /// Persists the saga with <see cref="EfSagaRepositoryContextFactory{TDbContext,TSaga}"/>; the DbContext
    /// itself must be registered (scoped) by the caller.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> EtterEfRepository<TSaga, TDbContext>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISagaVersion
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.Repository(x =>
        {
            x.RegisterLoadSagaRepository<TSaga, EfSagaRepositoryContextFactory<TDbContext, TSaga>>();
            x.RegisterQuerySagaRepository<TSaga, EfSagaRepositoryContextFactory<TDbContext, TSaga>>();
            x.RegisterSagaRepository<TSaga, TDbContext, SagaConsumeContextFactory<TDbContext, TSaga>,
                EfSagaRepositoryContextFactory<TDbContext, TSaga>>();
        });
        return configurator;
    }
}
