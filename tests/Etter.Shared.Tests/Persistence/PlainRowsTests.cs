using System.Text.Json;
using Etter.Persistence;
using Etter.Persistence.PlainWrites;
using Etter.Persistence.Sqlite;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Etter.Shared.Tests.Persistence;

/// <summary>
/// A row read and written without EF Core's change tracker must read back exactly as EF Core reads it, write only what
/// changed (with its derived columns), and refuse a write to a row that moved on, as <c>SaveChanges</c> would.
/// </summary>
public sealed class PlainRowsTests : IDisposable
{
    static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, 250, TimeSpan.FromHours(2));

    readonly TempDirectory _directory = new();

    [Fact]
    public async Task RowsWithAndWithoutNulls_ReadAsEfCoreReadsThem()
    {
        var (full, sparse) = (Full(), Sparse());
        await SeedAsync(full, sparse);
        await using var db = new SheetsContext(Options());
        var rows = Assert.IsType<PlainRows<SheetRow>>(PlainRows<SheetRow>.For(db));
        await db.Database.OpenConnectionAsync();

        foreach (var id in new[] { full.Id, sparse.Id })
        {
            var plain = await rows.FindAsync(db, id, CancellationToken.None);
            var efCore = await db.Sheets.AsNoTracking().SingleAsync(x => x.Id == id);
            Assert.Equal(JsonSerializer.Serialize(efCore), JsonSerializer.Serialize(plain));
        }

        Assert.Null(await rows.FindAsync(db, Guid.NewGuid(), CancellationToken.None));
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public async Task Copy_SharesNothingWithTheRowItWasTakenFrom()
    {
        await using var db = new SheetsContext(Options());
        var rows = PlainRows<SheetRow>.For(db)!;
        var row = Full();
        var copy = rows.Copy(row);

        Assert.False(rows.HasChanged(row, copy));
        row.Step.Attempt++;
        Assert.Equal(Full().Step.Attempt, copy.Step.Attempt);
        Assert.True(rows.HasChanged(row, copy));
    }

    [Fact]
    public async Task ChangedValues_WrittenWithTheDerivedColumnAndReadBack()
    {
        var sheet = Full();
        await SeedAsync(sheet);
        await using (var db = new SheetsContext(Options()))
        {
            var rows = PlainRows<SheetRow>.For(db)!;
            await using var transaction = await db.Database.BeginTransactionAsync();
            var row = (await rows.FindAsync(db, sheet.Id, CancellationToken.None))!;
            var original = rows.Copy(row);
            row.Title = "renamed";
            row.Note = null;
            row.Step.Attempt = 7;
            row.Step.StartedAt = Noon.AddHours(1);
            row.Version++;

            Assert.True(await rows.UpdateAsync(db, row, original, CancellationToken.None));
            await transaction.CommitAsync();
        }

        await using var read = new SheetsContext(Options());
        var stored = await read.Sheets.AsNoTracking().SingleAsync(x => x.Id == sheet.Id);
        Assert.Equal(("renamed", (string?)null, 7, (DateTimeOffset?)Noon.AddHours(1), 2, sheet.Score), (stored.Title, stored.Note, stored.Step.Attempt, stored.Step.StartedAt, stored.Version, stored.Score));
        Assert.Equal("renamed#7", await SummaryAsync(read, sheet.Id));
    }

    [Fact]
    public async Task NothingChanged_NothingWritten()
    {
        var sheet = Full();
        await SeedAsync(sheet);
        await using var db = new SheetsContext(Options());
        var rows = PlainRows<SheetRow>.For(db)!;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var row = (await rows.FindAsync(db, sheet.Id, CancellationToken.None))!;

        Assert.False(await rows.UpdateAsync(db, row, rows.Copy(row), CancellationToken.None));
    }

    [Fact]
    public async Task RowChangedSinceItWasRead_UpdateAndDeleteThrowConcurrencyException()
    {
        var sheet = Full();
        await SeedAsync(sheet);
        await using var db = new SheetsContext(Options());
        var rows = PlainRows<SheetRow>.For(db)!;
        await db.Database.OpenConnectionAsync();
        var stale = (await rows.FindAsync(db, sheet.Id, CancellationToken.None))!;
        var original = rows.Copy(stale);
        await using (var other = new SheetsContext(Options()))
        {
            var fresh = await other.Sheets.SingleAsync(x => x.Id == sheet.Id);
            fresh.Version++;
            await other.SaveChangesAsync();
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        stale.Title = "lost";
        stale.Version++;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => rows.UpdateAsync(db, stale, original, CancellationToken.None));
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => rows.DeleteAsync(db, original, CancellationToken.None));
    }

    [Fact]
    public async Task InsertedAndDeletedRows_SeenSoByEfCore()
    {
        var gone = Full();
        await SeedAsync(gone);
        var added = Sparse();
        await using (var db = new SheetsContext(Options()))
        {
            var rows = PlainRows<SheetRow>.For(db)!;
            await using var transaction = await db.Database.BeginTransactionAsync();
            await rows.InsertAsync(db, added, CancellationToken.None);
            await rows.DeleteAsync(db, (await rows.FindAsync(db, gone.Id, CancellationToken.None))!, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await using var read = new SheetsContext(Options());
        Assert.Equal([added.Id], await read.Sheets.Select(x => x.Id).ToListAsync());
        Assert.Equal(JsonSerializer.Serialize(added), JsonSerializer.Serialize(await read.Sheets.AsNoTracking().SingleAsync()));
        Assert.Equal("sparse#0", await SummaryAsync(read, added.Id));
    }

    [Fact]
    public async Task KeyTakenByAnotherRow_InsertThrowsUpdateException()
    {
        var sheet = Full();
        await SeedAsync(sheet);
        await using var db = new SheetsContext(Options());
        var rows = PlainRows<SheetRow>.For(db)!;
        await using var transaction = await db.Database.BeginTransactionAsync();

        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => rows.InsertAsync(db, Full(sheet.Id), CancellationToken.None));
        Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(refused.InnerException);
    }

    [Fact]
    public async Task CompositeKey_RowFoundByItsParts()
    {
        await SeedAsync();
        var owner = Guid.NewGuid();
        await using (var setup = new SheetsContext(Options()))
        {
            setup.Pairs.AddRange(new PairRow { Owner = owner, Number = 1, Text = "first" }, new PairRow { Owner = owner, Number = 2, Text = "second" });
            await setup.SaveChangesAsync();
        }

        await using var db = new SheetsContext(Options());
        var rows = Assert.IsType<PlainRows<PairRow>>(PlainRows<PairRow>.For(db));
        await db.Database.OpenConnectionAsync();

        Assert.Equal("second", (await rows.FindAsync(db, [owner, 2], CancellationToken.None))?.Text);
        Assert.Null(await rows.FindAsync(db, [owner, 3], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => rows.FindAsync(db, owner, CancellationToken.None));
    }

    [Fact]
    public async Task ShadowColumnNothingDerives_TypeLeftToTheTracker()
    {
        await using var db = new SheetsContext(Options(), deriveSummary: false);

        Assert.Null(PlainRows<SheetRow>.For(db));
    }

    public void Dispose() => _directory.Dispose();

    static SheetRow Full(Guid? id = null) => new()
    {
        Id = id ?? Guid.NewGuid(),
        Version = 1,
        Title = "full",
        Note = "a note",
        At = Noon,
        DoneAt = Noon.AddMinutes(30),
        Score = 0.625,
        Flag = true,
        Count = 1L << 40,
        Other = Guid.NewGuid(),
        Step = new SheetStep { Attempt = 3, Error = "timeout", StartedAt = Noon.AddMinutes(1) },
    };

    static SheetRow Sparse() => new()
    {
        Id = Guid.NewGuid(),
        Version = 1,
        Title = "sparse",
        At = Noon,
    };

    static Task<string> SummaryAsync(SheetsContext db, Guid id) =>
        db.Sheets.Where(x => x.Id == id).Select(x => EF.Property<string>(x, SheetsContext.SummaryProperty)).SingleAsync();

    async Task SeedAsync(params SheetRow[] sheets)
    {
        await using var db = new SheetsContext(Options());
        await db.Database.EnsureCreatedAsync();
        foreach (var sheet in sheets)
        {
            db.Sheets.Add(sheet);
            db.Entry(sheet).Property<string>(SheetsContext.SummaryProperty).CurrentValue = SheetsContext.Summary(sheet);
        }

        await db.SaveChangesAsync();
    }

    DbContextOptions<SheetsContext> Options() => new DbContextOptionsBuilder<SheetsContext>()
        .UseSqlite($"Data Source={Path.Combine(_directory.Path, "sheets.db")}")
        .AddInterceptors(SqliteInterceptors.All)

        // Two variants of one context type: each needs its own model.
        .ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, SheetsContext.ModelKeys>()
        .Options;

    public sealed class SheetRow
    {
        public Guid Id { get; set; }

        public int Version { get; set; }

        public string Title { get; set; } = "";

        public string? Note { get; set; }

        public DateTimeOffset At { get; set; }

        public DateTimeOffset? DoneAt { get; set; }

        public double? Score { get; set; }

        public bool? Flag { get; set; }

        public long Count { get; set; }

        public Guid? Other { get; set; }

        public SheetStep Step { get; set; } = new();
    }

    public sealed class PairRow
    {
        public Guid Owner { get; set; }

        public int Number { get; set; }

        public string Text { get; set; } = "";
    }

    public sealed class SheetStep
    {
        public int Attempt { get; set; }

        public string? Error { get; set; }

        public DateTimeOffset? StartedAt { get; set; }
    }

    public sealed class SheetsContext(DbContextOptions<SheetsContext> options, bool deriveSummary = true) : EtterDbContext(options)
    {
        public const string SummaryProperty = "Summary";

        public bool DerivesSummary { get; } = deriveSummary;

        public DbSet<SheetRow> Sheets => Set<SheetRow>();

        public DbSet<PairRow> Pairs => Set<PairRow>();

        public static string Summary(SheetRow sheet) => $"{sheet.Title}#{sheet.Step.Attempt}";

        protected internal override Func<object, object?>? DerivedValueOf(IProperty shadowProperty) =>
            DerivesSummary && shadowProperty?.Name == SummaryProperty ? static sheet => Summary((SheetRow)sheet) : null;

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            // The key's order (owner, number) is not the columns' alphabetical one (number, owner).
            modelBuilder.Entity<PairRow>(pair =>
            {
                pair.ToTable(DerivesSummary ? "pair" : "pair_underived");
                pair.HasKey(x => new { x.Owner, x.Number });
            });
            modelBuilder.Entity<SheetRow>(sheet =>
            {
                sheet.ToTable(DerivesSummary ? "sheet" : "sheet_underived");
                sheet.Property(x => x.Id).ValueGeneratedNever();
                sheet.Property(x => x.Version).IsConcurrencyToken();
                sheet.Property<string>(SummaryProperty).HasColumnName("summary");
                sheet.ComplexProperty(x => x.Step, step =>
                {
                    step.Property(x => x.Attempt).HasColumnName("step_attempt");
                    step.Property(x => x.Error).HasColumnName("step_error");
                    step.Property(x => x.StartedAt).HasColumnName("step_started_at");
                });
            });
        }

        public sealed class ModelKeys : Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory
        {
            public object Create(DbContext context, bool designTime) => (context.GetType(), ((SheetsContext)context).DerivesSummary, designTime);
        }
    }
}
