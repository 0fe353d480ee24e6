using Etter.Orchestrator.Saga;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Persistence;

/// <summary>The orchestrator's database: saga state. Owned (and migrated) by the orchestrator.</summary>
public abstract class OrchestratorDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OnboardingState> Workflows => Set<OnboardingState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new OnboardingStateMap());
    }
}
