using Etter.Persistence;
using Etter.Persistence.PlainWrites;
using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Etter.Shared.Tests.Persistence;

/// <summary>
/// The saga's unit of work is written as plain statements instead of through <c>SaveChanges</c>; what lands in the database
/// and how a refused write surfaces must stay what <c>SaveChanges</c> gave.
/// </summary>
public sealed class PlainChangeWriterTests : IDisposable
{
    static readonly DateTimeOffset Noon = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    readonly TempDirectory _directory = new();

    [Fact]
    public async Task AddedModifiedAndDeletedRows_ReadBackAsWritten()
    {
        var (kept, gone) = (Card("kept", "a"), Card("gone", "b"));
        await SeedAsync(kept, gone);

        await using (var db = new CardsContext(Options()))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var card = await db.Cards.SingleAsync(x => x.Id == kept.Id);
            card.Title = "renamed";
            card.Version++;
            card.Step.Attempt = 2;
            card.Step.StartedAt = Noon.AddMinutes(5);
            card.Note = null;
            db.Entry(card).Property<string?>(CardsContext.ShadowProperty).CurrentValue = "shadow changed";
            db.Cards.Remove(await db.Cards.SingleAsync(x => x.Id == gone.Id));
            var added = Card("added", slug: null);
            db.Cards.Add(added);
            var first = new LogLine { Text = "one" };
            var second = new LogLine { Text = "two" };
            db.Lines.AddRange(first, second);

            Assert.True(await PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
            await transaction.CommitAsync();
            db.ChangeTracker.AcceptAllChanges();

            // The keys the database assigned are read back, as SaveChanges would.
            Assert.True(first.Id > 0 && second.Id > 0 && first.Id != second.Id, $"keys {first.Id}, {second.Id}");
            Assert.All(db.ChangeTracker.Entries(), entry => Assert.Equal(EntityState.Unchanged, entry.State));
        }

        await using var read = new CardsContext(Options());
        var cards = await read.Cards.AsNoTracking().OrderBy(x => x.Title).ToListAsync();
        Assert.Equal(["added", "renamed"], cards.Select(x => x.Title));
        var renamed = cards[1];
        Assert.Equal((kept.Id, 2, 2, Noon.AddMinutes(5), (string?)null, "a"), (renamed.Id, renamed.Version, renamed.Step.Attempt, renamed.Step.StartedAt, renamed.Note, renamed.Slug));
        Assert.Equal("shadow changed", await read.Cards.Where(x => x.Id == kept.Id).Select(x => EF.Property<string?>(x, CardsContext.ShadowProperty)).SingleAsync());
        Assert.Equal((1, Noon, "a note", (string?)null), (cards[0].Version, cards[0].Step.StartedAt, cards[0].Note, cards[0].Slug));
        Assert.Equal(["one", "two"], await read.Lines.OrderBy(x => x.Id).Select(x => x.Text).ToListAsync());

        // Rows written as plain statements are found by EF Core's own queries, Guid keys included.
        Assert.NotNull(await read.Cards.FindAsync(kept.Id));
    }

    [Fact]
    public async Task ContextWritesItsChanges_DetectingThemOnce()
    {
        var card = Card("before", "a");
        await SeedAsync(card);
        await using (var db = new CardsContext(Options()))
        {
            var loaded = await db.Cards.SingleAsync(x => x.Id == card.Id);
            loaded.Title = "after";
            loaded.Version++;
            var detections = 0;
            db.ChangeTracker.DetectedAllChanges += (_, _) => detections++;

            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.WriteChangesAsync(acceptChanges: true, CancellationToken.None);
            await transaction.CommitAsync();

            // Each detection walks every tracked entity; the saga's row alone has some sixty properties.
            Assert.Equal(1, detections);
            Assert.Equal(EntityState.Unchanged, db.Entry(loaded).State);
            Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
        }

        await using var read = new CardsContext(Options());
        Assert.Equal("after", await read.Cards.Where(x => x.Id == card.Id).Select(x => x.Title).SingleAsync());
    }

    [Fact]
    public async Task RowChangedSinceItWasRead_ThrowsConcurrencyException()
    {
        var card = Card("first", "a");
        await SeedAsync(card);
        await using var db = new CardsContext(Options());
        var stale = await db.Cards.SingleAsync(x => x.Id == card.Id);
        await using (var other = new CardsContext(Options()))
        {
            var fresh = await other.Cards.SingleAsync(x => x.Id == card.Id);
            fresh.Version++;
            await other.SaveChangesAsync();
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        stale.Title = "lost";
        stale.Version++;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
    }

    [Fact]
    public async Task DatabaseRefusesARow_ThrowsUpdateExceptionWrappingItsError()
    {
        await SeedAsync(Card("first", "taken"));
        await using var db = new CardsContext(Options());
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Cards.Add(Card("second", "taken"));

        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
        Assert.IsType<SqliteException>(refused.InnerException);
    }

    [Fact]
    public async Task SaveRefusedPartWay_LeavesEntitiesUnsavedForAnotherTry()
    {
        await SeedAsync(Card("first", "taken"));
        await using var db = new CardsContext(Options());
        var line = new LogLine { Text = "written before the refusal" };
        db.Lines.Add(line);
        var card = Card("second", "taken");
        db.Cards.Add(card);
        await using (var refused = await db.Database.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<DbUpdateException>(() => PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
        }

        // The key read back for the rolled-back row is not kept: the next try inserts it afresh.
        Assert.True(db.Entry(line).Property(x => x.Id).IsTemporary);

        card.Slug = "free";
        await using (var retry = await db.Database.BeginTransactionAsync())
        {
            Assert.True(await PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
            await retry.CommitAsync();
        }

        await using var read = new CardsContext(Options());
        Assert.Equal(line.Id, await read.Lines.Select(x => x.Id).SingleAsync());
        Assert.Equal(2, await read.Cards.CountAsync());
    }

    [Fact]
    public async Task ManyRowsAddedInOneSave_GetTheirKeysInTheOrderTheyWereAdded()
    {
        var card = Card("changed in the same save", "a");
        await SeedAsync(card);
        await using var db = new CardsContext(Options());
        await using var transaction = await db.Database.BeginTransactionAsync();
        var loaded = await db.Cards.SingleAsync(x => x.Id == card.Id);
        var lines = Enumerable.Range(0, 40).Select(i => new LogLine { Text = i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        foreach (var line in lines)
        {
            db.Lines.Add(line);
        }

        // Rows of several states in one save are put in order (deletes, updates, inserts); the inserts among themselves
        // must keep their order, or a saga's history and outbox rows would be numbered out of the order they happened in.
        loaded.Title = "renamed";
        loaded.Version++;
        Assert.True(await PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
        await transaction.CommitAsync();

        Assert.Equal(lines.Select(x => x.Text), lines.OrderBy(x => x.Id).Select(x => x.Text));
    }

    [Fact]
    public async Task UniqueValueHandedToANewRowInOneSave_IsWritten()
    {
        var holder = Card("holder", "slug");
        await SeedAsync(holder);
        await using var db = new CardsContext(Options());
        await using var transaction = await db.Database.BeginTransactionAsync();

        // Added first, the new row would claim the value while the old one still holds it.
        db.Cards.Add(Card("taker", "slug"));
        var loaded = await db.Cards.SingleAsync(x => x.Id == holder.Id);
        loaded.Slug = null;
        loaded.Version++;

        Assert.True(await PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
        await transaction.CommitAsync();
        await using var read = new CardsContext(Options());
        Assert.Equal("taker", await read.Cards.Where(x => x.Slug == "slug").Select(x => x.Title).SingleAsync());
    }

    [Fact]
    public async Task EntityWithARelationship_IsLeftToSaveChanges()
    {
        await SeedAsync();
        await using var db = new CardsContext(Options());
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Cards.Add(Card("beside it", "c"));
        db.Folders.Add(new Folder { Name = "f", Items = [new FolderItem { Name = "i" }] });

        Assert.False(await PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
        await transaction.CommitAsync();
        await using var read = new CardsContext(Options());
        Assert.Equal(0, await read.Cards.CountAsync());
    }

    [Fact]
    public async Task NoTransactionOpen_WritesNothing()
    {
        await SeedAsync();
        await using var db = new CardsContext(Options());
        db.Cards.Add(Card("outside", "d"));

        Assert.False(await PlainChangeWriter.TryWriteAsync(db, CancellationToken.None));
        await using var read = new CardsContext(Options());
        Assert.Equal(0, await read.Cards.CountAsync());
    }

    public void Dispose() => _directory.Dispose();

    static CardRow Card(string title, string? slug) => new()
    {
        Id = Guid.NewGuid(),
        Version = 1,
        Title = title,
        Slug = slug,
        Note = "a note",
        Step = new CardStep { Attempt = 1, StartedAt = Noon },
    };

    async Task SeedAsync(params CardRow[] cards)
    {
        await using var db = new CardsContext(Options());
        await db.Database.EnsureCreatedAsync();
        db.Cards.AddRange(cards);
        await db.SaveChangesAsync();
    }

    DbContextOptions<CardsContext> Options() => new DbContextOptionsBuilder<CardsContext>()
        .UseSqlite($"Data Source={Path.Combine(_directory.Path, "cards.db")}")
        .AddInterceptors(SqliteInterceptors.All)
        .Options;

    public sealed class CardRow
    {
        public Guid Id { get; set; }

        public int Version { get; set; }

        public string Title { get; set; } = "";

        public string? Slug { get; set; }

        public string? Note { get; set; }

        public CardStep Step { get; set; } = new();
    }

    public sealed class CardStep
    {
        public int Attempt { get; set; }

        public DateTimeOffset? StartedAt { get; set; }
    }

    public sealed class LogLine
    {
        public long Id { get; set; }

        public string Text { get; set; } = "";
    }

    public sealed class Folder
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";

        public List<FolderItem> Items { get; set; } = [];
    }

    public sealed class FolderItem
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";
    }

    public sealed class CardsContext(DbContextOptions<CardsContext> options) : EtterDbContext(options)
    {
        public const string ShadowProperty = "Shadow";

        public DbSet<CardRow> Cards => Set<CardRow>();

        public DbSet<LogLine> Lines => Set<LogLine>();

        public DbSet<Folder> Folders => Set<Folder>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<CardRow>(card =>
            {
                card.ToTable("card");
                card.Property(x => x.Id).ValueGeneratedNever();
                card.Property(x => x.Version).IsConcurrencyToken();
                card.Property<string?>(ShadowProperty).HasColumnName("shadow");
                card.ComplexProperty(x => x.Step, step =>
                {
                    step.Property(x => x.Attempt).HasColumnName("step_attempt");
                    step.Property(x => x.StartedAt).HasColumnName("step_started_at");
                });
                card.HasIndex(x => x.Slug).IsUnique().HasFilter("Slug IS NOT NULL");
            });
            modelBuilder.Entity<LogLine>().ToTable("log_line").Property(x => x.Id).ValueGeneratedOnAdd();
        }
    }
}
