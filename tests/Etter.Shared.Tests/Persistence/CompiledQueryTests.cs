using Etter.Persistence;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Etter.Shared.Tests.Persistence;

/// <summary>The hot path's compiled queries run against every model of their context type that one process holds.</summary>
public sealed class CompiledQueryTests : IDisposable
{
    static readonly CompiledQuery<Func<LabelsContext, string, CancellationToken, Task<Label?>>> ByText = new(() =>
        EF.CompileAsyncQuery((LabelsContext db, string text, CancellationToken cancellationToken) =>
            db.Labels.AsNoTracking().SingleOrDefault(x => x.Text == text)));

    readonly TempDirectory _directory = new();

    [Fact]
    public async Task SameContextTypeWithTwoModels_EachRunsTheQuery()
    {
        await using var first = await OpenAsync("first.db", "one");
        await using var second = await OpenAsync("second.db", "two");

        // Without caching, each context builds its own internal services and so its own model: the case EF Core
        // rejects for a query compiled once ("compiled against a different model").
        Assert.NotSame(first.Model, second.Model);
        Assert.Equal("one", (await ByText.For(first)(first, "one", CancellationToken.None))?.Text);
        Assert.Equal("two", (await ByText.For(second)(second, "two", CancellationToken.None))?.Text);
        Assert.Null(await ByText.For(first)(first, "two", CancellationToken.None));
    }

    [Fact]
    public async Task SameModelTwice_CompilesOnce()
    {
        var compiled = 0;
        var query = new CompiledQuery<Func<LabelsContext, string, CancellationToken, Task<Label?>>>(() =>
        {
            compiled++;
            return EF.CompileAsyncQuery((LabelsContext db, string text, CancellationToken cancellationToken) =>
                db.Labels.AsNoTracking().SingleOrDefault(x => x.Text == text));
        });
        await using var db = await OpenAsync("one.db", "one");

        Assert.Equal("one", (await query.For(db)(db, "one", CancellationToken.None))?.Text);
        Assert.Null(await query.For(db)(db, "other", CancellationToken.None));
        Assert.Equal(1, compiled);
    }

    public void Dispose() => _directory.Dispose();

    async Task<LabelsContext> OpenAsync(string file, string text)
    {
        var options = new DbContextOptionsBuilder<LabelsContext>()
            .UseSqlite($"Data Source={Path.Combine(_directory.Path, file)};Pooling=False")
            .EnableServiceProviderCaching(false)
            .Options;
        var db = new LabelsContext(options);
        await db.Database.EnsureCreatedAsync();
        db.Labels.Add(new Label { Text = text });
        await db.SaveChangesAsync();
        return db;
    }

    public sealed class Label
    {
        public int Id { get; set; }

        public string Text { get; set; } = "";
    }

    public sealed class LabelsContext(DbContextOptions<LabelsContext> options) : DbContext(options)
    {
        public DbSet<Label> Labels => Set<Label>();
    }
}
