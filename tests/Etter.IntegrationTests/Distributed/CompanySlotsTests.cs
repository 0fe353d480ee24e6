using Etter.IntegrationTests.Infrastructure;
using Etter.Orchestrator.Admission;
using Etter.Orchestrator.Persistence;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Etter.IntegrationTests.Distributed;

/// <summary>Company slots on PostgreSQL, where claims of one company run in concurrent transactions.</summary>
public sealed class CompanySlotsTests : IAsyncLifetime
{
    ScratchEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await ScratchEnvironment.CreateAsync();
        await using var db = Open();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task ClaimWhileSlotsAreFree_TakesExactlyOne()
    {
        await using var db = Open();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var first = await CompanySlots.ClaimAsync(db, "Acme", Guid.NewGuid(), limit: 200, CancellationToken.None);
        var second = await CompanySlots.ClaimAsync(db, "Acme", Guid.NewGuid(), limit: 200, CancellationToken.None);
        await transaction.CommitAsync();

        Assert.Equal(0, first);
        Assert.Equal(1, second);
        Assert.Equal(2, await db.Slots.CountAsync(x => x.CompanyId == "Acme" && x.WorkflowId != null));
    }

    [Fact]
    public async Task FortyConcurrentClaimsOfANewCompany_AllGetADistinctSlot()
    {
        var workflows = Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToList();

        // Each claim holds its transaction open a little, as a saga transition does, so the claims overlap.
        var slots = await Task.WhenAll(workflows.Select(async workflow =>
        {
            await using var db = Open();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var slot = await CompanySlots.ClaimAsync(db, "Burst Co", workflow, limit: 200, CancellationToken.None);
            await Task.Delay(50);
            await transaction.CommitAsync();
            return slot;
        }));

        Assert.All(slots, s => Assert.NotNull(s));
        Assert.Equal(40, slots.Distinct().Count());
        await using var check = Open();
        Assert.Equal(40, await check.Slots.CountAsync(x => x.CompanyId == "Burst Co" && x.WorkflowId != null));
    }

    [Fact]
    public async Task ClaimsAtTheLimit_GetNoSlot()
    {
        await using var db = Open();
        var claims = new List<int?>();
        for (var i = 0; i < 4; i++)
        {
            claims.Add(await CompanySlots.ClaimAsync(db, "Small Co", Guid.NewGuid(), limit: 3, CancellationToken.None));
        }

        Assert.Equal([0, 1, 2, null], claims);
    }

    [Fact]
    public async Task ReleaseBySomeoneElse_KeepsTheSlotAndReleaseByItsHolder_FreesIt()
    {
        await using var db = Open();
        var holder = Guid.NewGuid();
        var slot = await CompanySlots.ClaimAsync(db, "Release Co", holder, limit: 1, CancellationToken.None);
        Assert.Equal(0, slot);

        await CompanySlots.ReleaseAsync(db, "Release Co", 0, Guid.NewGuid(), CancellationToken.None);
        Assert.Equal(holder, await HolderAsync(db, "Release Co", 0));

        await CompanySlots.ReleaseAsync(db, "Release Co", 0, holder, CancellationToken.None);
        Assert.Null(await HolderAsync(db, "Release Co", 0));
        Assert.Equal(0, await CompanySlots.ClaimAsync(db, "Release Co", Guid.NewGuid(), limit: 1, CancellationToken.None));
    }

    static Task<Guid?> HolderAsync(OrchestratorDbContext db, string companyId, int slot) =>
        db.Slots.AsNoTracking().Where(x => x.CompanyId == companyId && x.Slot == slot).Select(x => x.WorkflowId).SingleAsync();

    PostgresOrchestratorDbContext Open() => _environment.OrchestratorDb();
}
