using Etter.Contracts;
using Etter.Messaging.Outbox;
using Etter.Onboarding;
using Etter.RoleSetup.Consumers;
using Etter.RoleSetup.Persistence;
using Etter.RoleSetup.RoleGraph;
using Etter.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Etter.RoleSetup.Tests.Consumers;

public sealed class SetUpRoleConsumerTests : IAsyncLifetime
{
    readonly TempDirectory _directory = new();
    ServiceProvider _provider = null!;

    /// <summary>Set by a test to make the JD write fail, after the role write of the same transaction.</summary>
    volatile bool _failJobDescriptionWrites;

    ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    /// <summary>The relational role graph, whose JD write can be made to fail.</summary>
    sealed class FaultyRoleGraph(RelationalRoleGraph inner, SetUpRoleConsumerTests test) : IRoleGraph
    {
        public bool JoinsRoleSetupTransaction => inner.JoinsRoleSetupTransaction;

        public Task UpsertCompanyRoleAsync(CompanyRoleRecord role, CancellationToken cancellationToken) => inner.UpsertCompanyRoleAsync(role, cancellationToken);

        public Task UpsertJobDescriptionAsync(JobDescriptionRecord jobDescription, CancellationToken cancellationToken) =>
            test._failJobDescriptionWrites
                ? throw new InvalidOperationException("The JD write failed.")
                : inner.UpsertJobDescriptionAsync(jobDescription, cancellationToken);

        public Task<CompanyRoleRecord?> FindCompanyRoleAsync(string companyRoleId, CancellationToken cancellationToken) => inner.FindCompanyRoleAsync(companyRoleId, cancellationToken);

        public Task<JobDescriptionRecord?> FindJobDescriptionAsync(string companyRoleId, CancellationToken cancellationToken) => inner.FindJobDescriptionAsync(companyRoleId, cancellationToken);
    }

    public async Task InitializeAsync()
    {
        var configuration = EmbeddedConfiguration.For(_directory.Path);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostApplicationLifetime, StartedLifetime>();
        services.AddRoleSetup(configuration);
        services.AddScoped<RelationalRoleGraph>();
        services.AddScoped<IRoleGraph>(sp => new FaultyRoleGraph(sp.GetRequiredService<RelationalRoleGraph>(), this));
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

    List<RoleSetupCompleted> Answers(Guid id) =>
        [.. Harness.Published.SoFar<RoleSetupCompleted>(x => x.Context.Message.WorkflowId == id).Select(x => x.Context.Message)];

    async Task<T> InDbAsync<T>(Func<RoleGraphDbContext, Task<T>> query)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<RoleGraphDbContext>());
    }

    [Fact]
    public async Task SetUpRole_CommitsRoleJdInboxAndOneAnswerWithItsStartTime()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id));

        var completed = await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == id);
        Assert.Equal(CompanyRoleId.For("Liberty Mutual", "Claims Adjuster"), completed.RoleId);
        Assert.NotNull(completed.JobDescription);
        Assert.StartsWith("# Claims Adjuster", completed.JobDescription!.Markdown, StringComparison.Ordinal);
        Assert.Contains("## Key Responsibilities", completed.JobDescription.Markdown, StringComparison.Ordinal);
        Assert.NotEqual(default, completed.StartedAt);
        Assert.True(completed.StartedAt <= completed.CompletedAt);

        await using var scope = _provider.CreateAsyncScope();
        var graph = scope.ServiceProvider.GetRequiredService<IRoleGraph>();
        var role = await graph.FindCompanyRoleAsync(completed.RoleId, CancellationToken.None);
        Assert.Equal("Liberty Mutual", role!.CompanyName);
        Assert.Equal("document", (await graph.FindJobDescriptionAsync(completed.RoleId, CancellationToken.None))!.Source);
        Assert.Equal(completed, await scope.ServiceProvider.GetRequiredService<RoleSetupInbox>().FindAsync(id, 1, CancellationToken.None));

        // One answer, from one outbox row that is deleted once delivered; no start event on the hot path.
        await WaitForAsync(async () => await InDbAsync(db => db.Set<OutboxMessage>().CountAsync()) == 0);
        Assert.Single(Answers(id));
        Assert.False(await Harness.Published.Any<RoleSetupFailed>(x => x.Context.Message.WorkflowId == id));
    }

    [Fact]
    public async Task FailureInsideTheTransaction_LeavesNoRoleNoInboxRowAndNoAnswer()
    {
        _failJobDescriptionWrites = true;
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id));

        // The role write came before the failure; it must have been rolled back with everything else.
        Assert.True(await Harness.Published.Any<Fault<SetUpRole>>(x => x.Context.Message.Message.WorkflowId == id));
        Assert.Equal(0, await InDbAsync(db => db.CompanyRoles.CountAsync()));
        Assert.Equal(0, await InDbAsync(db => db.ProcessedCommands.CountAsync()));
        Assert.Equal(0, await InDbAsync(db => db.Set<OutboxMessage>().CountAsync()));
        Assert.False(await Harness.Published.Any<RoleSetupCompleted>(x => x.Context.Message.WorkflowId == id));
        Assert.False(await Harness.Published.Any<RoleSetupFailed>(x => x.Context.Message.WorkflowId == id));
    }

    [Fact]
    public async Task Redelivery_AnswersTheSameAndWritesNothingNew()
    {
        var id = Guid.NewGuid();
        await Harness.Bus.Publish(Command(id));
        var first = await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == id);
        var roleBefore = await InDbAsync(db => db.CompanyRoles.AsNoTracking().SingleAsync());
        var inboxBefore = await InDbAsync(db => db.ProcessedCommands.AsNoTracking().SingleAsync());

        // Other documents this time: a redelivery that did the work again would answer differently.
        await Harness.Bus.Publish(Command(id, documents: [new RoleDocument { Type = DocumentTypes.JobDescription, Content = "Responsibilities:\n- Something else" }]));

        await WaitForAsync(() => Task.FromResult(Answers(id).Count >= 2));
        Assert.All(Answers(id), answer => Assert.Equal(first, answer));
        Assert.Equal(roleBefore.UpdatedAt, (await InDbAsync(db => db.CompanyRoles.AsNoTracking().SingleAsync())).UpdatedAt);
        Assert.Equal(first.JobDescription!.Markdown, (await InDbAsync(db => db.JobDescriptions.AsNoTracking().SingleAsync())).Content);
        Assert.Equal(inboxBefore.ProcessedAt, (await InDbAsync(db => db.ProcessedCommands.AsNoTracking().SingleAsync())).ProcessedAt);
    }

    [Fact]
    public async Task ConcurrentDeliveries_OneDoesTheWorkAndBothGiveItsAnswer()
    {
        var id = Guid.NewGuid();
        var firstInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondWorked = false;
        await using var firstScope = _provider.CreateAsyncScope();
        await using var secondScope = _provider.CreateAsyncScope();

        var first = firstScope.ServiceProvider.GetRequiredService<RoleSetupInbox>().CompleteAsync(
            new RoleSetupCompleted { WorkflowId = id, Attempt = 1, RoleId = "first" },
            async _ =>
            {
                firstInside.SetResult();
                await releaseFirst.Task;
            },
            CancellationToken.None);
        await firstInside.Task;

        // The second claims the same (workflow, attempt) while the first still holds its transaction open.
        var second = secondScope.ServiceProvider.GetRequiredService<RoleSetupInbox>().CompleteAsync(
            new RoleSetupCompleted { WorkflowId = id, Attempt = 1, RoleId = "second" },
            _ =>
            {
                secondWorked = true;
                return Task.CompletedTask;
            },
            CancellationToken.None);
        await Task.Delay(200);
        releaseFirst.SetResult();
        await Task.WhenAll(first, second);

        Assert.False(secondWorked);
        await WaitForAsync(() => Task.FromResult(Answers(id).Count >= 2));
        Assert.All(Answers(id), answer => Assert.Equal("first", answer.RoleId));
        await using var scope = _provider.CreateAsyncScope();
        Assert.Equal("first", (await scope.ServiceProvider.GetRequiredService<RoleSetupInbox>().FindAsync(id, 1, CancellationToken.None))!.RoleId);
    }

    [Fact]
    public async Task SameRoleSetUpTwice_LeavesOneRoleAndOneJd()
    {
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        await Harness.Bus.Publish(Command(first));
        await Harness.Bus.Publish(Command(second, role: "  claims   ADJUSTER "));
        await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == first);
        await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == second);

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

        var completed = await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == id);
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

        var completed = await Harness.PublishedAsync<RoleSetupCompleted>(x => x.WorkflowId == id);
        Assert.Equal("document:notes.txt", completed.JobDescription!.Source);
        Assert.Contains("- Reconcile invoices", completed.JobDescription.Markdown, StringComparison.Ordinal);
    }

    static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
