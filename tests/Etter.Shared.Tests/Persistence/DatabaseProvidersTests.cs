using Etter.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Etter.Shared.Tests.Persistence;

/// <summary>The provider of a context, remembered per model: one context type on two providers must get both answers right.</summary>
public sealed class DatabaseProvidersTests
{
    [Fact]
    public void OneContextTypeOnBothProviders_EachAnsweredForItsOwn()
    {
        using var sqlite = new ProbeContext(new DbContextOptionsBuilder<ProbeContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new ProbeContext(new DbContextOptionsBuilder<ProbeContext>().UseNpgsql("Host=127.0.0.1;Database=unused").Options);

        // Asked twice each, interleaved: the second answers come from what the first ones remembered.
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal((true, false), (sqlite.RunsOnSqlite(), sqlite.RunsOnPostgres()));
            Assert.Equal((false, true), (postgres.RunsOnSqlite(), postgres.RunsOnPostgres()));
        }

        Assert.Equal((sqlite.Database.IsSqlite(), postgres.Database.IsNpgsql()), (true, true));
    }

    sealed class ProbeContext(DbContextOptions<ProbeContext> options) : DbContext(options);
}
