using System.Net;
using System.Net.Sockets;
using Etter.Contracts;
using Etter.Onboarding;
using Etter.RoleSetup.RoleGraph;
using Etter.RoleSetup.RoleGraph.Neo4j;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Etter.RoleSetup.Tests.RoleGraph.Neo4j;

/// <summary>
/// The Neo4j role graph against <see cref="FakeNeo4jServer"/>, a local fake written from Neo4j's HTTP API
/// documentation. These tests check OUR side of the documented protocol only (request shape, parameterized
/// MERGE statements, response and error formats, retryability); they do not run against a live Neo4j server,
/// so they cannot prove the Cypher behaves the same on a real one.
/// </summary>
public sealed class Neo4jRoleGraphTests : IAsyncLifetime
{
    static readonly DateTimeOffset FirstRun = new(2026, 3, 1, 10, 15, 0, TimeSpan.Zero);
    static readonly DateTimeOffset SecondRun = new DateTimeOffset(2026, 3, 2, 8, 30, 12, TimeSpan.FromHours(1)).AddTicks(1_234_567);

    FakeNeo4jServer _server = null!;
    readonly List<ServiceProvider> _providers = [];
    readonly List<IServiceScope> _scopes = [];

    public async Task InitializeAsync() => _server = await FakeNeo4jServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var scope in _scopes)
        {
            scope.Dispose();
        }

        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    ServiceProvider Services(Neo4jProtocol protocol, string? url = null, TimeSpan? timeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Etter:RoleGraph:Provider"] = "neo4j",
            ["Etter:RoleGraph:Neo4j:Url"] = url ?? _server.Url,
            ["Etter:RoleGraph:Neo4j:Database"] = FakeNeo4jServer.Database,
            ["Etter:RoleGraph:Neo4j:User"] = FakeNeo4jServer.User,
            ["Etter:RoleGraph:Neo4j:Password"] = FakeNeo4jServer.Password,
            ["Etter:RoleGraph:Neo4j:Protocol"] = protocol.ToString(),
            ["Etter:RoleGraph:Neo4j:Timeout"] = (timeout ?? TimeSpan.FromSeconds(10)).ToString(),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNeo4jRoleGraph(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _providers.Add(provider);
        return provider;
    }

    IServiceProvider Scope(ServiceProvider provider)
    {
        var scope = provider.CreateScope();
        _scopes.Add(scope);
        return scope.ServiceProvider;
    }

    IRoleGraph Graph(Neo4jProtocol protocol = Neo4jProtocol.QueryApi, string? url = null, TimeSpan? timeout = null) =>
        Scope(Services(protocol, url, timeout)).GetRequiredService<IRoleGraph>();

    static CompanyRoleRecord Role(DateTimeOffset at, string company = "Liberty Mutual", string role = "Claims Adjuster", string? draupRole = "Claims Examiner") =>
        new(CompanyRoleId.For(company, role), company, role, draupRole is null ? null : "draup-4711", draupRole, "etter_pipeline", "tests", "4bf92f3577b34da6a3ce929d0e0e4736", at, at);

    static JobDescriptionRecord Jd(string roleId, DateTimeOffset at, string content = "# Claims Adjuster\n\nInvestigates claims.") =>
        new(roleId, "Claims Adjuster", content, "document", at, at);

    List<RecordedStatement> DataStatements() =>
        [.. _server.Statements.Where(s => !s.Text.StartsWith("CREATE CONSTRAINT", StringComparison.Ordinal))];

    [Theory]
    [InlineData(Neo4jProtocol.QueryApi)]
    [InlineData(Neo4jProtocol.Transactional)]
    public async Task UpsertRoleAndJdTwice_KeepsOneOfEachAndSendsTheSameMergeStatements(Neo4jProtocol protocol)
    {
        var graph = Graph(protocol);
        var first = Role(FirstRun);
        await graph.UpsertCompanyRoleAsync(first, CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(Jd(first.Id, FirstRun), CancellationToken.None);
        var firstStatements = DataStatements().Select(s => s.Text).ToList();

        await graph.UpsertCompanyRoleAsync(Role(SecondRun), CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(Jd(first.Id, SecondRun), CancellationToken.None);
        var secondStatements = DataStatements().Select(s => s.Text).Skip(firstStatements.Count).ToList();

        Assert.Equal(firstStatements, secondStatements);
        Assert.Equal(3, firstStatements.Count);
        Assert.All(firstStatements, s => Assert.Contains("MERGE (", s, StringComparison.Ordinal));
        Assert.Equal(1, _server.Graph.CountNodes("CompanyRole"));
        Assert.Equal(1, _server.Graph.CountNodes("JobDescription"));
        Assert.Equal(1, _server.Graph.CountNodes("DraupRole"));
        Assert.Equal(1, _server.Graph.CountRelationships("HAS_JOB_DESCRIPTION"));
        Assert.Equal(1, _server.Graph.CountRelationships("MAPS_TO"));

        // ON CREATE SET keeps the first creation time; SET moves updated_at on.
        var role = await graph.FindCompanyRoleAsync(first.Id, CancellationToken.None);
        Assert.Equal(FirstRun, role!.CreatedAt);
        Assert.Equal(SecondRun, role.UpdatedAt);
        var jd = await graph.FindJobDescriptionAsync(first.Id, CancellationToken.None);
        Assert.Equal(FirstRun, jd!.CreatedAt);
        Assert.Equal(SecondRun, jd.UpdatedAt);
        Assert.Empty(_server.Violations);
    }

    [Theory]
    [InlineData(Neo4jProtocol.QueryApi)]
    [InlineData(Neo4jProtocol.Transactional)]
    public async Task UpsertThenFind_RoundTripsEveryFieldOfTheOldSchema(Neo4jProtocol protocol)
    {
        var graph = Graph(protocol);
        var role = Role(SecondRun);
        var jd = Jd(role.Id, SecondRun, "# Claims Adjuster\n\n- \"Quotes\", 'apostrophes' and $dollars stay data\n");
        await graph.UpsertCompanyRoleAsync(role, CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(jd, CancellationToken.None);

        Assert.Equal(role, await graph.FindCompanyRoleAsync(role.Id, CancellationToken.None));
        Assert.Equal(jd, await graph.FindJobDescriptionAsync(role.Id, CancellationToken.None));

        var stored = _server.Graph.FindNode("CompanyRole", "id", role.Id)!;
        Assert.Equal(
            ["company_name", "created_at", "created_by", "draup_role", "draup_role_id", "id", "role_name", "source", "trace_id", "updated_at"],
            stored.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["company_role_id", "content", "created_at", "source", "title", "updated_at"],
            _server.Graph.FindNode("JobDescription", "company_role_id", role.Id)!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Claims Examiner"], _server.Graph.Related("CompanyRole", "id", role.Id, "MAPS_TO", "name"));
        Assert.Equal([role.Id], _server.Graph.Related("CompanyRole", "id", role.Id, "HAS_JOB_DESCRIPTION", "company_role_id"));
    }

    [Fact]
    public async Task QueryApi_SendsOneStatementPerRequestWithBasicAuthAndJson()
    {
        await Graph(Neo4jProtocol.QueryApi).UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None);

        var requests = _server.Requests.ToList();
        Assert.Equal(5, requests.Count); // three constraints, the role, its Draup mapping
        var expectedAuth = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{FakeNeo4jServer.User}:{FakeNeo4jServer.Password}"));
        Assert.All(requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal(FakeNeo4jServer.QueryApiPath, r.Path);
            Assert.Equal(expectedAuth, r.Authorization);
            Assert.Equal("application/json", r.ContentType);
            Assert.Contains("application/json", r.Accept, StringComparison.Ordinal);
            Assert.Single(r.Statements);
            Assert.NotNull(r.Body!["statement"]);
        });
        Assert.Empty(_server.Violations);
    }

    [Fact]
    public async Task Transactional_SendsTheRoleAndItsDraupMappingInOneTransaction()
    {
        await Graph(Neo4jProtocol.Transactional).UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None);

        var requests = _server.Requests.ToList();
        Assert.All(requests, r => Assert.Equal(FakeNeo4jServer.TransactionalPath, r.Path));
        var write = requests[^1];
        Assert.Equal(2, write.Statements.Count);
        Assert.StartsWith("MERGE (r:CompanyRole {id: $id})", write.Statements[0].Text, StringComparison.Ordinal);
        Assert.Contains("MERGE (r)-[:MAPS_TO]->(d)", write.Statements[1].Text, StringComparison.Ordinal);
        Assert.All(write.Body!["statements"]!.AsArray(), s => Assert.Equal("row", s!["resultDataContents"]![0]!.GetValue<string>()));
        Assert.Empty(_server.Violations);
    }

    [Fact]
    public async Task FirstUse_CreatesEachConstraintOnceEvenForConcurrentCallers()
    {
        var provider = Services(Neo4jProtocol.QueryApi);
        async Task UpsertInOwnScope(int i)
        {
            await using var scope = provider.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IRoleGraph>().UpsertCompanyRoleAsync(Role(FirstRun, role: $"Role {i}"), CancellationToken.None);
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(UpsertInOwnScope));
        await Task.WhenAll(Enumerable.Range(8, 4).Select(UpsertInOwnScope));

        var constraints = _server.Statements.Where(s => s.Text.StartsWith("CREATE CONSTRAINT", StringComparison.Ordinal)).Select(s => s.Text).ToList();
        Assert.Equal(
            [
                "CREATE CONSTRAINT company_role_id IF NOT EXISTS FOR (r:CompanyRole) REQUIRE r.id IS UNIQUE",
                "CREATE CONSTRAINT job_description_company_role_id IF NOT EXISTS FOR (j:JobDescription) REQUIRE j.company_role_id IS UNIQUE",
                "CREATE CONSTRAINT draup_role_name IF NOT EXISTS FOR (d:DraupRole) REQUIRE d.name IS UNIQUE",
            ],
            constraints);
        Assert.Equal(12, _server.Graph.CountNodes("CompanyRole"));
        Assert.Equal(1, _server.Graph.CountNodes("DraupRole"));
    }

    [Fact]
    public async Task ConstraintCreationFailingTransiently_IsRetriedOnNextUse()
    {
        var provider = Services(Neo4jProtocol.QueryApi);
        _server.FailNext("Neo.TransientError.General.DatabaseUnavailable", "The database is not currently available to serve your request.");

        var failed = await Assert.ThrowsAsync<RoleGraphException>(() =>
            Scope(provider).GetRequiredService<IRoleGraph>().UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None));
        Assert.True(failed.Recoverable);
        Assert.False(provider.GetRequiredService<Neo4jSchema>().IsReady);

        await Scope(provider).GetRequiredService<IRoleGraph>().UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None);
        Assert.True(provider.GetRequiredService<Neo4jSchema>().IsReady);
        Assert.Equal(3, _server.Graph.ConstraintNames.Count);
    }

    [Theory]
    [InlineData(Neo4jProtocol.QueryApi)]
    [InlineData(Neo4jProtocol.Transactional)]
    public async Task HostileRoleName_ArrivesVerbatimAsAParameterOnly(Neo4jProtocol protocol)
    {
        const string hostileRole = "Adjuster'}) DETACH DELETE n //";
        const string hostileCompany = "Acme\"}) MATCH (x) DETACH DELETE x RETURN 1 //";
        var graph = Graph(protocol);
        var role = Role(FirstRun, hostileCompany, hostileRole, draupRole: "x'}) DETACH DELETE d //");
        await graph.UpsertCompanyRoleAsync(role, CancellationToken.None);
        await graph.UpsertJobDescriptionAsync(Jd(role.Id, FirstRun, hostileRole), CancellationToken.None);

        Assert.Empty(_server.Violations);
        Assert.All(_server.Statements, s =>
        {
            Assert.DoesNotContain("DETACH", s.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("'", s.Text, StringComparison.Ordinal);
        });
        var upsert = _server.Statements.Single(s => s.Text.StartsWith("MERGE (r:CompanyRole", StringComparison.Ordinal));
        Assert.Equal(hostileRole, upsert.Parameters["role_name"]);
        Assert.Equal(hostileCompany, upsert.Parameters["company_name"]);
        Assert.Contains("$role_name", upsert.Text, StringComparison.Ordinal);

        var found = await graph.FindCompanyRoleAsync(role.Id, CancellationToken.None);
        Assert.Equal(hostileRole, found!.RoleName);
        Assert.Equal(hostileCompany, found.CompanyName);
        Assert.Equal(hostileRole, (await graph.FindJobDescriptionAsync(role.Id, CancellationToken.None))!.Content);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public async Task DraupRoleUnknown_WritesNoMapping(string? draupRole)
    {
        var graph = Graph();
        var role = Role(FirstRun, draupRole: draupRole);
        await graph.UpsertCompanyRoleAsync(role, CancellationToken.None);

        Assert.DoesNotContain(_server.Statements, s => s.Text.Contains("MAPS_TO", StringComparison.Ordinal));
        Assert.Equal(0, _server.Graph.CountNodes("DraupRole"));
        Assert.Equal(0, _server.Graph.CountRelationships("MAPS_TO"));
        Assert.Null((await graph.FindCompanyRoleAsync(role.Id, CancellationToken.None))!.DraupRole);
    }

    [Fact]
    public async Task DraupRoleLaterUnknown_KeepsTheKnownMapping()
    {
        var graph = Graph();
        await graph.UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None);
        await graph.UpsertCompanyRoleAsync(Role(SecondRun, draupRole: null), CancellationToken.None);

        var role = await graph.FindCompanyRoleAsync(Role(FirstRun).Id, CancellationToken.None);
        Assert.Equal("Claims Examiner", role!.DraupRole);
        Assert.Equal("draup-4711", role.DraupRoleId);
        Assert.Equal(1, _server.Graph.CountRelationships("MAPS_TO"));
    }

    [Fact]
    public async Task DraupRoleCorrected_ReplacesTheMappingInsteadOfAddingOne()
    {
        var graph = Graph();
        var role = Role(FirstRun);
        await graph.UpsertCompanyRoleAsync(role, CancellationToken.None);
        await graph.UpsertCompanyRoleAsync(role with { DraupRole = "Insurance Claims Analyst", UpdatedAt = SecondRun }, CancellationToken.None);

        Assert.Equal(["Insurance Claims Analyst"], _server.Graph.Related("CompanyRole", "id", role.Id, "MAPS_TO", "name"));
        Assert.Equal(2, _server.Graph.CountNodes("DraupRole")); // the old Draup role node stays; only the link moves
        Assert.Equal("Insurance Claims Analyst", (await graph.FindCompanyRoleAsync(role.Id, CancellationToken.None))!.DraupRole);
    }

    [Theory]
    [InlineData(Neo4jProtocol.QueryApi)]
    [InlineData(Neo4jProtocol.Transactional)]
    public async Task Unauthorized401_IsNotRecoverable(Neo4jProtocol protocol)
    {
        _server.AcceptedPassword = "a-different-password";

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() => Graph(protocol).UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None));

        Assert.False(ex.Recoverable);
        Assert.False(ex.Error.Recoverable);
        Assert.Equal(ErrorCodes.RoleSetupFailed, ex.Error.Code);
        Assert.Equal("Neo.ClientError.Security.Unauthorized", ex.Neo4jCode);
        Assert.Contains("Neo.ClientError.Security.Unauthorized", ex.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeNeo4jServer.Password, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecurityForbidden_IsNotRecoverable()
    {
        _server.FailNext("Neo.ClientError.Security.Forbidden", "Schema operations are not allowed for user 'etter'.");

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() => Graph().UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None));

        Assert.False(ex.Recoverable);
        Assert.Equal("Neo.ClientError.Security.Forbidden", ex.Neo4jCode);
        Assert.Contains("User and Password", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Neo4jProtocol.QueryApi, 202)]
    [InlineData(Neo4jProtocol.QueryApi, 503)]
    [InlineData(Neo4jProtocol.Transactional, 200)]
    public async Task TransientDatabaseUnavailable_IsRecoverable(Neo4jProtocol protocol, int queryApiStatus)
    {
        var graph = Graph(protocol);
        await graph.UpsertCompanyRoleAsync(Role(FirstRun), CancellationToken.None);
        _server.FailNext("Neo.TransientError.General.DatabaseUnavailable", "The database is not currently available to serve your request.", queryApiStatus);

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() => graph.UpsertJobDescriptionAsync(Jd(Role(FirstRun).Id, FirstRun), CancellationToken.None));

        Assert.True(ex.Recoverable);
        Assert.Equal("Neo.TransientError.General.DatabaseUnavailable", ex.Neo4jCode);
        Assert.Contains("Neo.TransientError.General.DatabaseUnavailable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransactionTerminated_IsNotRecoverableDespiteItsTransientCode()
    {
        _server.FailNext("Neo.TransientError.Transaction.Terminated", "The transaction has been terminated.");

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() => Graph().FindCompanyRoleAsync("some-id", CancellationToken.None));

        Assert.False(ex.Recoverable);
    }

    [Theory]
    [InlineData(Neo4jProtocol.QueryApi, 202)]
    [InlineData(Neo4jProtocol.QueryApi, 400)]
    [InlineData(Neo4jProtocol.Transactional, 200)]
    public async Task SyntaxError_IsNotRecoverableAndCarriesTheCode(Neo4jProtocol protocol, int queryApiStatus)
    {
        _server.FailNext("Neo.ClientError.Statement.SyntaxError", "Invalid input 'MERG': expected a clause (line 1, column 1 (offset: 0))", queryApiStatus);

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() => Graph(protocol).FindJobDescriptionAsync("some-id", CancellationToken.None));

        Assert.False(ex.Recoverable);
        Assert.Equal("Neo.ClientError.Statement.SyntaxError", ex.Neo4jCode);
        Assert.Contains("Neo.ClientError.Statement.SyntaxError", ex.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid input 'MERG'", ex.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(502, true)]
    [InlineData(500, false)]
    [InlineData(404, false)]
    public async Task BareHttpStatus_IsMappedByRetryability(int status, bool recoverable)
    {
        _server.AnswerNextWith(status, "upstream says no");

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() => Graph().FindCompanyRoleAsync("some-id", CancellationToken.None));

        Assert.Equal(recoverable, ex.Recoverable);
        Assert.Contains($"HTTP {status}", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.Neo4jCode);
    }

    [Fact]
    public async Task NothingListening_IsRecoverable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() =>
            Graph(url: $"http://127.0.0.1:{port}").FindCompanyRoleAsync("some-id", CancellationToken.None));

        Assert.True(ex.Recoverable);
        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowServer_TimesOutAsRecoverable()
    {
        _server.Delay = TimeSpan.FromSeconds(5);

        var ex = await Assert.ThrowsAsync<RoleGraphException>(() =>
            Graph(timeout: TimeSpan.FromMilliseconds(300)).FindCompanyRoleAsync("some-id", CancellationToken.None));

        Assert.True(ex.Recoverable);
        Assert.Contains("did not answer within", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_StaysACancellation()
    {
        _server.Delay = TimeSpan.FromSeconds(5);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Graph().FindCompanyRoleAsync("some-id", cancel.Token));
    }

    [Fact]
    public async Task UnknownRole_IsNotFound()
    {
        var graph = Graph();

        Assert.Null(await graph.FindCompanyRoleAsync("no-such-role", CancellationToken.None));
        Assert.Null(await graph.FindJobDescriptionAsync("no-such-role", CancellationToken.None));
    }

    [Fact]
    public async Task JobDescriptionForAMissingRole_IsRejectedAndNotWritten()
    {
        var ex = await Assert.ThrowsAsync<RoleGraphException>(() =>
            Graph().UpsertJobDescriptionAsync(Jd("no-such-role", FirstRun), CancellationToken.None));

        Assert.False(ex.Recoverable);
        Assert.True(ex.Message.Contains("no-such-role", StringComparison.Ordinal), ex.Message);
        Assert.Equal(0, _server.Graph.CountNodes("JobDescription"));
    }

    [Theory]
    [InlineData(Neo4jProtocol.QueryApi)]
    [InlineData(Neo4jProtocol.Transactional)]
    public async Task HealthProbe_ReportsOkAndThenTheFailure(Neo4jProtocol protocol)
    {
        var graph = Scope(Services(protocol)).GetRequiredService<Neo4jRoleGraph>();

        var (ok, detail) = await graph.CheckAsync(CancellationToken.None);
        Assert.True(ok, detail);
        Assert.Equal("RETURN 1 AS ok", _server.Statements[^1].Text);

        _server.AcceptedPassword = "rotated";
        (ok, detail) = await graph.CheckAsync(CancellationToken.None);
        Assert.False(ok);
        Assert.Contains("Neo.ClientError.Security.Unauthorized", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthEndpointCheck_IsRegisteredAndUnhealthyWhenNeo4jRefusesUs()
    {
        var health = Services(Neo4jProtocol.QueryApi).GetRequiredService<HealthCheckService>();

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(CancellationToken.None)).Entries["role-graph-neo4j"].Status);

        _server.AcceptedPassword = "rotated";
        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["role-graph-neo4j"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("Neo.ClientError.Security.Unauthorized", entry.Description, StringComparison.Ordinal);
    }
}
