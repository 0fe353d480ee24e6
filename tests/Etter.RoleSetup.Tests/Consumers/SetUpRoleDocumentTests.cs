using Etter.Contracts;
using Etter.RoleSetup.Persistence;
using Etter.RoleSetup.Tests.Documents;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Etter.RoleSetup.Tests.Consumers;

/// <summary>Wiring check: role_setup with documents given by uri (needs AddRoleSetup to call AddRoleSetupDocuments).</summary>
public sealed class SetUpRoleDocumentTests(LocalDocumentServer server) : IClassFixture<LocalDocumentServer>, IAsyncLifetime
{
    readonly TempDirectory _directory = new();
    ServiceProvider _provider = null!;

    ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    public async Task InitializeAsync()
    {
        var configuration = EmbeddedConfiguration.For(_directory.Path, new Dictionary<string, string?>
        {
            ["Etter:Documents:AllowedHosts:0"] = "127.0.0.1",
            ["Etter:Documents:ReadTimeout"] = "00:00:02",
        });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostApplicationLifetime, StartedLifetime>();
        services.AddRoleSetup(configuration);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddRoleSetupComponents();
            bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(1));
        });
        _provider = services.BuildServiceProvider();
        await using (var scope = _provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleGraphDbContext>().Database.MigrateAsync();
        }

        await Harness.Start();
    }

    public async Task DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    static SetUpRole Command(Guid id, string uri) => new()
    {
        WorkflowId = id,
        Attempt = 1,
        CompanyId = "Liberty Mutual",
        RoleName = "Claims Adjuster",
        Documents = [new RoleDocument { Type = DocumentTypes.JobDescription, Uri = uri }],
        RequestedBy = "tests",
    };

    [Fact]
    public async Task JdByUri_IsFetchedFormattedAndStored()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, $"{server.Url}/jd.docx"));

        var completed = await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == id);
        Assert.Equal("uri:127.0.0.1", completed.JobDescription!.Source);
        Assert.Contains("## Key Responsibilities", completed.JobDescription.Markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/broken", true)]
    [InlineData("/missing", false)]
    public async Task JdByUriThatFails_ReportsRoleSetupFailedWithTheFetchError(string path, bool recoverable)
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, $"{server.Url}{path}"));

        var failed = await Harness.PublishedAsync<RoleSetupFailed>(x => x.WorkflowId == id);
        Assert.Equal("DOCUMENT_FETCH_FAILED", failed.Error.Code);
        Assert.Equal(recoverable, failed.Error.Recoverable);
        Assert.NotEqual(default, failed.StartedAt);
        Assert.False(await Harness.Published.Any<RoleSetupCompleted>(x => x.Context.Message.WorkflowId == id));
    }

    [Fact]
    public async Task NoDocuments_UsesTheSampleProvider()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(new SetUpRole { WorkflowId = id, Attempt = 1, CompanyId = "Liberty Mutual", RoleName = "Claims Adjuster", Documents = [], RequestedBy = "tests" });

        var completed = await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == id);
        Assert.Equal("provider:sample", completed.JobDescription!.Source);
    }
}
