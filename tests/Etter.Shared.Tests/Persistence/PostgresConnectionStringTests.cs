using Etter.Persistence;
using Npgsql;

namespace Etter.Shared.Tests.Persistence;

/// <summary>
/// Pooled connections are handed back without Npgsql's DISCARD ALL, and keep their hot statements prepared, unless the
/// operator's connection string says otherwise.
/// </summary>
public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void PlainConnectionString_TurnsOffTheResetOnClose()
    {
        var options = new PostgresOptions { ConnectionString = "Host=127.0.0.1;Database=etter;Username=etter;Password=x" };

        var effective = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString());

        Assert.True(effective.NoResetOnClose);
        Assert.Equal(PostgresOptions.DefaultMaxAutoPrepare, effective.MaxAutoPrepare);
        Assert.Equal("etter", effective.Database);
        Assert.Equal("x", effective.Password);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=etter;No Reset On Close=false")]
    [InlineData("Host=127.0.0.1;Database=etter;NoResetOnClose=false")]
    public void OperatorSetsResetOnClose_TheirChoiceStands(string connectionString)
    {
        var options = new PostgresOptions { ConnectionString = connectionString };

        Assert.False(new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString()).NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=etter;Max Auto Prepare=0", 0)]
    [InlineData("Host=127.0.0.1;Database=etter;MaxAutoPrepare=20", 20)]
    [InlineData("Host=127.0.0.1;Database=etter;max auto prepare=5", 5)]
    public void OperatorSetsMaxAutoPrepare_TheirChoiceStands(string connectionString, int expected)
    {
        var options = new PostgresOptions { ConnectionString = connectionString };

        var effective = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString());

        Assert.Equal(expected, effective.MaxAutoPrepare);
        Assert.True(effective.NoResetOnClose);
    }
}
