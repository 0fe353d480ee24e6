using Etter.Messaging.Outbox;
using Etter.Orchestrator.Saga;
using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Persistence;

/// <summary>The distributed (PostgreSQL) flavour; exists so PostgreSQL has migrations of its own.</summary>
public sealed class PostgresOrchestratorDbContext(DbContextOptions<PostgresOrchestratorDbContext> options) : OrchestratorDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.StoreOutboxUncompressed();

        // A finished workflow's row passes PostgreSQL's 2 KB threshold (its status document and assessment), and a
        // long job description makes every row after role_setup pass it, so these are compressed on each write.
        modelBuilder.Entity<OnboardingState>(saga =>
        {
            saga.Property(StatusJsonProperty).CompressedWithLz4();
            saga.Property(x => x.AssessmentJson).CompressedWithLz4();
            saga.Property(x => x.JobDescriptionMarkdown).CompressedWithLz4();
            saga.Property(x => x.RequestJson).CompressedWithLz4();
        });
    }
}
