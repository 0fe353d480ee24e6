using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using static Etter.Shared.Tests.Persistence.PlainChangeWriterTests;

namespace Etter.Shared.Tests.Persistence;

/// <summary>
/// Rows that are only ever inserted (outbox rows) skip the change tracker; whichever way the context is saved they are
/// written exactly once, and a unit of work that is dropped or ends its lease takes them with it.
/// </summary>
public sealed class UntrackedRowsTests : IDisposable
{
    readonly TempDirectory _directory = new();

    [Fact]
    public async Task PlainWriteInATransaction_InsertsThemInOrderWithTheirKeysAndNeverTracksThem()
    {
        await CreateAsync();
        var lines = Enumerable.Range(0, 5).Select(i => new LogLine { Text = "line " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        await using (var db = new CardsContext(Options()))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Cards.Add(new CardRow { Id = Guid.NewGuid(), Version = 1, Title = "tracked beside them" });
            foreach (var line in lines)
            {
                db.AddUntracked(line);
            }

            Assert.DoesNotContain(db.ChangeTracker.Entries(), x => x.Entity is LogLine);
            await db.WriteChangesAsync(acceptChanges: true, CancellationToken.None);
            await transaction.CommitAsync();
            Assert.False(db.HasUntracked);
            Assert.DoesNotContain(db.ChangeTracker.Entries(), x => x.Entity is LogLine);

            // Written once: a later save of the same context does not write them again.
            await db.SaveChangesAsync();
        }

        // The keys the database assigned are read back into the rows, in the order they were added.
        Assert.All(lines, x => Assert.True(x.Id > 0));
        Assert.Equal(lines.Select(x => x.Text), lines.OrderBy(x => x.Id).Select(x => x.Text));
        await using var read = new CardsContext(Options());
        Assert.Equal(lines.Select(x => (x.Id, x.Text)), (await read.Lines.OrderBy(x => x.Id).ToListAsync()).Select(x => (x.Id, x.Text)));
        Assert.Equal(1, await read.Cards.CountAsync());
    }

    [Fact]
    public async Task SavedWithoutATransaction_WrittenThroughSaveChanges()
    {
        await CreateAsync();
        await using (var db = new CardsContext(Options()))
        {
            db.AddUntracked(new LogLine { Text = "saved plainly or not, saved" });
            await db.SaveChangesAsync();
        }

        await using var read = new CardsContext(Options());
        Assert.Equal(["saved plainly or not, saved"], await read.Lines.Select(x => x.Text).ToListAsync());
    }

    [Fact]
    public async Task Dropped_NeverWritten()
    {
        await CreateAsync();
        await using (var db = new CardsContext(Options()))
        {
            db.AddUntracked(new LogLine { Text = "rolled back" });
            db.DropUntracked();
            db.AddUntracked(new LogLine { Text = "the retry's" });
            await db.SaveChangesAsync();
        }

        await using var read = new CardsContext(Options());
        Assert.Equal(["the retry's"], await read.Lines.Select(x => x.Text).ToListAsync());
    }

    [Fact]
    public async Task PooledContextsNextLease_DoesNotWriteTheRowsOfTheLastOne()
    {
        await CreateAsync();
        var pool = new PooledDbContextFactory<CardsContext>(Options());
        CardsContext first;
        await using (first = await pool.CreateDbContextAsync())
        {
            first.AddUntracked(new LogLine { Text = "left behind" });
        }

        await using (var second = await pool.CreateDbContextAsync())
        {
            Assert.Same(first, second);
            Assert.False(second.HasUntracked);
            second.AddUntracked(new LogLine { Text = "this lease's" });
            await second.SaveChangesAsync();
        }

        await using var read = new CardsContext(Options());
        Assert.Equal(["this lease's"], await read.Lines.Select(x => x.Text).ToListAsync());
    }

    public void Dispose() => _directory.Dispose();

    async Task CreateAsync()
    {
        await using var db = new CardsContext(Options());
        await db.Database.EnsureCreatedAsync();
    }

    DbContextOptions<CardsContext> Options() => new DbContextOptionsBuilder<CardsContext>()
        .UseSqlite($"Data Source={Path.Combine(_directory.Path, "rows.db")}")
        .AddInterceptors(SqliteInterceptors.All)
        .Options;
}
