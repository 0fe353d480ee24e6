using Etter.Messaging.Outbox;
using Etter.Persistence;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Etter.Shared.Tests.Messaging;

/// <summary>
/// The hand-off of outbox rows to the dispatcher after their commit, on pooled contexts: one instance serves many units
/// of work, and each unit hands off its own committed rows only.
/// </summary>
public sealed class OutboxHandoffTests : IDisposable
{
    readonly TempDirectory _directory = new();
    readonly OutboxDispatcher<OutboxContext> _dispatcher;
    readonly OutboxHandoff<OutboxContext> _handoff;
    readonly PooledDbContextFactory<OutboxContext> _pool;

    public OutboxHandoffTests()
    {
        // Only the dispatcher's queue is used: it is never started, so rows it is given stay owned and countable.
        _dispatcher = new OutboxDispatcher<OutboxContext>(null!, new OutboxDelivery(null!, []), Options.Create(new OutboxOptions()), null!, NullLogger<OutboxDispatcher<OutboxContext>>.Instance);
        _handoff = new OutboxHandoff<OutboxContext>(_dispatcher);
        var options = new DbContextOptionsBuilder<OutboxContext>().UseSqlite($"Data Source={Path.Combine(_directory.Path, "outbox.db")}").Options;
        using (var setup = new OutboxContext(options))
        {
            setup.Database.EnsureCreated();
        }

        // One context in the pool, so every lease below is the same instance.
        _pool = new PooledDbContextFactory<OutboxContext>(options, poolSize: 1);
    }

    [Fact]
    public async Task RowsOfARolledBackUnit_AreNotHandedOffWithTheNextUnitsCommit()
    {
        var first = await _pool.CreateDbContextAsync();
        await using (var abandoned = await first.Database.BeginTransactionAsync())
        {
            var outbox = Outbox(first);
            outbox.Publish(Guid.NewGuid(), new Ping("lost 1"));
            outbox.Publish(Guid.NewGuid(), new Ping("lost 2"));
            outbox.Publish(Guid.NewGuid(), new Ping("lost 3"));
            await first.SaveChangesAsync();
        }

        await first.DisposeAsync();

        await using var second = await _pool.CreateDbContextAsync();
        Assert.Same(first, second);
        await using (var committed = await second.Database.BeginTransactionAsync())
        {
            Outbox(second).Publish(Guid.NewGuid(), new Ping("sent"));
            await second.SaveChangesAsync();
            await committed.CommitAsync();
        }

        _handoff.Committed(second);

        var row = Assert.Single(await second.Set<OutboxMessage>().ToListAsync());
        Assert.Equal([row.Sequence], _dispatcher.OwnedRows());
    }

    [Fact]
    public async Task SaveWithoutTransaction_HandsOffOnEveryLeaseOfThePooledContext()
    {
        for (var lease = 1; lease <= 3; lease++)
        {
            await using var db = await _pool.CreateDbContextAsync();
            Outbox(db).Publish(Guid.NewGuid(), new Ping($"lease {lease}"));
            await db.SaveChangesAsync();
            Assert.Equal(lease, _dispatcher.OwnedRows().Length);
        }
    }

    public void Dispose()
    {
        _dispatcher.Dispose();
        _directory.Dispose();
    }

    EfOutbox<OutboxContext> Outbox(OutboxContext db) => new(db, TimeProvider.System, _handoff);

    public sealed record Ping(string Text);

    public sealed class OutboxContext(DbContextOptions<OutboxContext> options) : EtterDbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddOutbox();
    }
}
