using Etter.ServiceDefaults.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Etter.Messaging.Outbox;

public static class OutboxRegistrationExtensions
{
    /// <summary>The transactional outbox of <typeparamref name="TDbContext"/> and the relay that delivers it.</summary>
    public static IServiceCollection AddTransactionalOutbox<TDbContext>(this IServiceCollection services)
        where TDbContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<OutboxOptions>(OutboxOptions.Section);
        services.TryAddSingleton<OutboxSignal>();
        services.AddScoped<IOutbox, EfOutbox<TDbContext>>();
        services.AddSingleton<OutboxRelay<TDbContext>>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay<TDbContext>>());
        return services;
    }
}
