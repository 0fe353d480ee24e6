using Etter.ServiceDefaults.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.Messaging.Outbox;

public static class OutboxRegistrationExtensions
{
    /// <summary>
    /// The transactional outbox of <typeparamref name="TDbContext"/>: rows written with its changes, handed to the
    /// dispatcher right after their commit, and a relay for whatever was left behind.
    /// </summary>
    public static IServiceCollection AddTransactionalOutbox<TDbContext>(this IServiceCollection services)
        where TDbContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<OutboxOptions>(OutboxOptions.Section);
        services.TryAddSingleton<OutboxDelivery>();
        services.AddSingleton<OutboxDispatcher<TDbContext>>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher<TDbContext>>());
        services.AddSingleton<OutboxHandoff<TDbContext>>();
        services.AddScoped<IOutbox<TDbContext>, EfOutbox<TDbContext>>();
        services.AddSingleton<OutboxRelay<TDbContext>>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay<TDbContext>>());
        return services;
    }
}
