using Etter.Contracts;
using Etter.RoleSetup;
using Etter.RoleSetup.Persistence;
using Etter.Onboarding;
using Etter.RoleSetup.RoleGraph;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.RoleSetup.Tests.Consumers;

public sealed class SetUpRoleConsumerTests : IAsyncLifetime
{
    readonly TempDirectory _directory = new();
    ServiceProvider _provider = null!;

    ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRoleSetup(EmbeddedConfiguration.For(_directory.Path));
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

    static SetUpRole Command(Guid id, IReadOnlyList<RoleDocument>? documents = null, string company = "Liberty Mutual", string role = "Claims Adjuster") => new()
    {
        WorkflowId = id,
        Attempt = 1,
        CompanyId = company,
        RoleName = role,
        Documents = documents ?? [new RoleDocument { Type = DocumentTypes.JobDescription, Content = Messages.SampleJd }],
        RequestedBy = "tests",
    };

    [Fact]
    public async Task SetUpRole_WritesRoleAndJdThenReportsStartedAndCompleted()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id));

        Assert.True(await Harness.Published.Any<RoleSetupStarted>(x => x.Context.Message.WorkflowId == id));
        var completed = (await Harness.Published.SelectAsync<RoleSetupCompleted>(x => x.Context.Message.WorkflowId == id).First()).Context.Message;
        Assert.Equal(CompanyRoleId.For("Liberty Mutual", "Claims Adjuster"), completed.RoleId);
        Assert.NotNull(completed.JobDescription);
        Assert.StartsWith("# Claims Adjuster", completed.JobDescription!.Markdown, StringComparison.Ordinal);
        Assert.Contains("## Key Responsibilities", completed.JobDescription.Markdown, StringComparison.Ordinal);

        await using var scope = _provider.CreateAsyncScope();
        var graph = scope.ServiceProvider.GetRequiredService<IRoleGraph>();
        var role = await graph.FindCompanyRoleAsync(completed.RoleId, CancellationToken.None);
        Assert.Equal("Liberty Mutual", role!.CompanyName);
        Assert.Equal("document", (await graph.FindJobDescriptionAsync(completed.RoleId, CancellationToken.None))!.Source);
    }

    [Fact]
    public async Task SameRoleSetUpTwice_LeavesOneRoleAndOneJd()
    {
        await Harness.Bus.Publish(Command(Guid.NewGuid()));
        await Harness.Bus.Publish(Command(Guid.NewGuid(), role: "  claims   ADJUSTER "));
        var completed = 0;
        await foreach (var _ in Harness.Published.SelectAsync<RoleSetupCompleted>())
        {
            if (++completed == 2)
            {
                break;
            }
        }

        Assert.Equal(2, completed);

        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RoleGraphDbContext>();
        Assert.Equal(1, await db.CompanyRoles.CountAsync());
        Assert.Equal(1, await db.JobDescriptions.CountAsync());
    }

    [Fact]
    public async Task NoDocumentAndNoSample_CompletesWithoutJd()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, documents: [], company: "Nobody Inc", role: "Ghost"));

        var completed = (await Harness.Published.SelectAsync<RoleSetupCompleted>(x => x.Context.Message.WorkflowId == id).First()).Context.Message;
        Assert.Null(completed.JobDescription);
        Assert.False(string.IsNullOrEmpty(completed.RoleId));
    }

    [Fact]
    public async Task OtherDocumentOnly_IsUsedWhenNoJobDescriptionTyped()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id, documents:
        [
            new RoleDocument { Type = DocumentTypes.Sop, Uri = "https://example.invalid/sop.pdf" },
            new RoleDocument { Type = DocumentTypes.Other, Content = "Responsibilities:\n- Reconcile invoices", Name = "notes.txt" },
        ]));

        var completed = (await Harness.Published.SelectAsync<RoleSetupCompleted>(x => x.Context.Message.WorkflowId == id).First()).Context.Message;
        Assert.Equal("document:notes.txt", completed.JobDescription!.Source);
        Assert.Contains("- Reconcile invoices", completed.JobDescription.Markdown, StringComparison.Ordinal);
    }
}
