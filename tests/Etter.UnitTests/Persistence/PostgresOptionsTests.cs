using Etter.BuildingBlocks.Configuration;
using Npgsql;

namespace Etter.UnitTests.Persistence;

public sealed class PostgresOptionsTests
{
    [Fact]
    public void ConnectionStringWithoutAutoPrepare_GetsOurDefault()
    {
        var options = new PostgresOptions { ConnectionString = "Host=127.0.0.1;Port=5432;Database=etter;Username=etter" };

        var effective = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString());

        Assert.Equal(PostgresOptions.DefaultMaxAutoPrepare, effective.MaxAutoPrepare);
        Assert.Equal("etter", effective.Database);
        Assert.Equal(5432, effective.Port);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Max Auto Prepare=0", 0)]
    [InlineData("Host=127.0.0.1;MaxAutoPrepare=5", 5)]
    public void ConnectionStringThatSetsAutoPrepare_IsKeptAsGiven(string connectionString, int expected)
    {
        var options = new PostgresOptions { ConnectionString = connectionString };

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString()).MaxAutoPrepare);
    }
}
