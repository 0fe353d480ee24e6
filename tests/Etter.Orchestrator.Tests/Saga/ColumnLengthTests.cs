using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga;
using Etter.Orchestrator.Saga.Changes;
using Etter.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Etter.Orchestrator.Tests.Saga;

/// <summary>
/// PostgreSQL refuses a value longer than its column (SQLite does not), and a refused insert would retry, then fault,
/// and the workflow would never be recorded. What a requester sends is clipped to the columns the model declares.
/// </summary>
public sealed class ColumnLengthTests
{
    static readonly Microsoft.EntityFrameworkCore.Metadata.IEntityType SagaRow = Model().FindEntityType(typeof(OnboardingState))!;

    static Microsoft.EntityFrameworkCore.Metadata.IModel Model()
    {
        using var db = new SqliteOrchestratorDbContext(new DbContextOptionsBuilder<SqliteOrchestratorDbContext>().UseSqlite("Data Source=:memory:").Options);
        return db.Model;
    }

    static int MaxLength(string property) => SagaRow.FindProperty(property)!.GetMaxLength()!.Value;

    [Fact]
    public void OverlongRequestFromAPublisher_IsKeptWithinEveryColumn()
    {
        var huge = new string('x', 5_000);
        var request = Messages.Onboard(company: huge, role: huge) with { DraupRoleId = huge, DraupRoleName = huge, RequestedBy = huge };
        var state = new OnboardingState();

        state.TakeRequest(request, DateTimeOffset.UtcNow);

        foreach (var (property, value) in new[]
        {
            (nameof(OnboardingState.CompanyId), state.CompanyId), (nameof(OnboardingState.RoleName), state.RoleName),
            (nameof(OnboardingState.DraupRoleId), state.DraupRoleId), (nameof(OnboardingState.DraupRoleName), state.DraupRoleName),
            (nameof(OnboardingState.RequestedBy), state.RequestedBy),
        })
        {
            Assert.Equal(MaxLength(property), value!.Length);
        }
    }

    [Fact]
    public void OverlongCancelReason_IsKeptWithinItsColumn()
    {
        var state = new OnboardingState();

        state.Cancel(new string('r', 5_000), DateTimeOffset.UtcNow);

        Assert.Equal(MaxLength(nameof(OnboardingState.CancelReason)), state.CancelReason!.Length);
    }

    [Fact]
    public void RequestWithinTheColumns_IsKeptAsSent()
    {
        var state = new OnboardingState();

        state.TakeRequest(Messages.Onboard() with { RequestedBy = "cs@etter" }, DateTimeOffset.UtcNow);

        Assert.Equal(("Liberty Mutual", "Claims Adjuster", "cs@etter"), (state.CompanyId, state.RoleName, state.RequestedBy));
    }
}
