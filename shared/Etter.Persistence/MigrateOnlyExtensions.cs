using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Etter.Persistence;

public static class MigrateOnlyExtensions
{
    /// <summary>
    /// When <paramref name="setting"/> is true (e.g. <c>Etter__Orchestrator__MigrateOnly=true</c>, used by the
    /// Kubernetes migration Job), brings <typeparamref name="TContext"/>'s schema up to date and returns true:
    /// the caller then exits instead of serving.
    /// </summary>
    public static async Task<bool> MigrateOnlyIfAskedAsync<TContext>(this IHost host, string setting)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(host);
        if (!host.Services.GetRequiredService<IConfiguration>().GetValue<bool>(setting))
        {
            return false;
        }

        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TContext>().Database.MigrateAsync();
        return true;
    }
}
