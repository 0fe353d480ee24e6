using Etter.RoleSetup.RoleGraph;
using Etter.RoleSetup.RoleGraph.Neo4j;
using Etter.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Tests.RoleGraph.Neo4j;

/// <summary>
/// Configuration, registration and value parsing of the Neo4j role graph. No server is involved; like the rest of
/// this folder, nothing here has been checked against a live Neo4j.
/// </summary>
public sealed class Neo4jOptionsTests
{
    static Dictionary<string, string?> Complete() => new()
    {
        ["Etter:RoleGraph:Neo4j:Url"] = "http://127.0.0.1:7474",
        ["Etter:RoleGraph:Neo4j:User"] = "neo4j",
        ["Etter:RoleGraph:Neo4j:Password"] = "from-the-environment",
    };

    static Neo4jOptions Resolve(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNeo4jRoleGraph(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<Neo4jOptions>>().Value;
    }

    [Fact]
    public void CompleteOptions_AreAcceptedWithQueryApiAndNeo4jDatabaseByDefault()
    {
        var options = Resolve(Complete());

        Assert.Equal(Neo4jProtocol.QueryApi, options.Protocol);
        Assert.Equal("neo4j", options.Database);
        Assert.Equal(new Uri("http://127.0.0.1:7474/db/neo4j/query/v2"), options.Endpoint());
    }

    [Fact]
    public void TransactionalProtocol_UsesTxCommitUnderAnyPathPrefix()
    {
        var values = Complete();
        values["Etter:RoleGraph:Neo4j:Url"] = "https://graph.example.internal/neo4j";
        values["Etter:RoleGraph:Neo4j:Database"] = "roles";
        values["Etter:RoleGraph:Neo4j:Protocol"] = "transactional";

        Assert.Equal(new Uri("https://graph.example.internal/neo4j/db/roles/tx/commit"), Resolve(values).Endpoint());
    }

    [Theory]
    [InlineData("Etter:RoleGraph:Neo4j:Url", "Url is required")]
    [InlineData("Etter:RoleGraph:Neo4j:Password", "Password is required")]
    [InlineData("Etter:RoleGraph:Neo4j:User", "User is required")]
    public void MissingSetting_IsRejectedWithItsName(string key, string expected)
    {
        var values = Complete();
        values.Remove(key);

        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(values));

        Assert.Contains(ex.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bolt://127.0.0.1:7687")]
    [InlineData("neo4j://graph:7687")]
    [InlineData("127.0.0.1:7474")]
    [InlineData("/db/neo4j")]
    public void NonHttpUrl_IsRejected(string url)
    {
        var values = Complete();
        values["Etter:RoleGraph:Neo4j:Url"] = url;

        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(values));

        Assert.Contains(ex.Failures, f => f.Contains("absolute http:// or https://", StringComparison.Ordinal));
    }

    [Fact]
    public void CredentialsInTheUrl_AreRejected()
    {
        var values = Complete();
        values["Etter:RoleGraph:Neo4j:Url"] = "http://neo4j:secret@127.0.0.1:7474";

        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(values));

        Assert.Contains(ex.Failures, f => f.Contains("must not carry credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(ex.Failures, f => f.Contains("secret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Etter:RoleGraph:Neo4j:Database", "neo4j/../system")]
    [InlineData("Etter:RoleGraph:Neo4j:Timeout", "00:00:00")]
    public void InvalidDatabaseOrTimeout_IsRejected(string key, string value)
    {
        var values = Complete();
        values[key] = value;

        Assert.Throws<OptionsValidationException>(() => Resolve(values));
    }

    [Theory]
    [InlineData("neo4j", true)]
    [InlineData(" Neo4j ", true)]
    [InlineData("relational", false)]
    [InlineData(null, false)]
    public void ProviderSetting_SelectsNeo4jOnlyWhenAskedFor(string? provider, bool selected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Etter:RoleGraph:Provider"] = provider })
            .Build();

        Assert.Equal(selected, Neo4jRoleGraphRegistration.IsSelected(configuration));
    }

    [Fact]
    public void AddNeo4jRoleGraphAfterAddRoleSetup_ReplacesTheRelationalRoleGraph()
    {
        using var directory = new TempDirectory();
        var configuration = EmbeddedConfiguration.For(directory.Path, Complete());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRoleSetup(configuration);
        services.AddNeo4jRoleGraph(configuration);
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();

        Assert.IsType<Neo4jRoleGraph>(scope.ServiceProvider.GetRequiredService<IRoleGraph>());
        Assert.Single(services, d => d.ServiceType == typeof(IRoleGraph));
    }

    [Theory]
    [InlineData("2026-03-01T10:15Z", "2026-03-01T10:15:00+00:00")]
    [InlineData("2026-03-02T08:30:12.123456700+01:00", "2026-03-02T07:30:12.1234567+00:00")]
    [InlineData("2015-11-21T21:40:32.142Z[Antarctica/Troll]", "2015-11-21T21:40:32.142+00:00")]
    [InlineData("2026-03-01T10:15:00.0000000+00:00", "2026-03-01T10:15:00+00:00")]
    public void Neo4jDateTimeText_ParsesToTheSameInstant(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Neo4jValues.ParseTemporal(text));
    }
}
