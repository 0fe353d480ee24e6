using Etter.Messaging.Sagas;
using Etter.Onboarding;
using Etter.Orchestrator.Admission;
using Etter.Orchestrator.Persistence;
using Etter.Persistence;
using Etter.ReadModel;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Submission;

/// <summary>
/// Reads, in the saga's transaction, what deciding on a submitted role needs: the role's workflow in flight, its
/// newest finished result and whether its company has a queue; and claims a company slot when a new workflow would
/// start. A slot the saga does not take is given back before the commit.
/// </summary>
public sealed class SubmissionPreparer(IOptions<OrchestratorOptions> options) :
    ISagaMessagePreparer<OrchestratorDbContext, OnboardRoleRequested>,
    ISagaMessagePreparer<OrchestratorDbContext, SubmitOnboarding>,
    ISagaMessagePreparer<OrchestratorDbContext, RetryOnboarding>
{
    public async Task PrepareAsync(OrchestratorDbContext db, ConsumeContext<OnboardRoleRequested> context)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Message;
        var facts = SubmissionFacts.None;
        if (OnboardingRequestValidator.Validate(request) is null)
        {
            var cancellationToken = context.CancellationToken;
            var key = CompanyRoleId.For(request.CompanyId, request.RoleName);
            var hasRequester = context.HasRequester();
            var (inFlight, latestFinished, companyHasWaiting) = await RoleFacts.ReadAsync(db, key, request.WorkflowId, request.CompanyId.Trim(), cancellationToken);
            facts = new SubmissionFacts
            {
                InFlight = inFlight,
                LatestFinished = hasRequester ? latestFinished : null,
                CompanyHasWaiting = companyHasWaiting,
            };
            if (SubmissionRules.WantsSlot(request, facts, hasRequester))
            {
                facts = facts with { Slot = await CompanySlots.ClaimAsync(db, request.CompanyId.Trim(), request.WorkflowId, options.Value.MaxActivePerCompany, cancellationToken) };
            }
        }

        context.AddOrUpdatePayload(() => facts, _ => facts);
    }

    public Task PrepareAsync(OrchestratorDbContext db, ConsumeContext<SubmitOnboarding> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PrepareAdmissionAsync(db, context, context.Message.WorkflowId, WorkflowStates.Draft, checkInFlight: false);
    }

    public Task PrepareAsync(OrchestratorDbContext db, ConsumeContext<RetryOnboarding> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PrepareAdmissionAsync(db, context, context.Message.WorkflowId, WorkflowStates.Failed, checkInFlight: true);
    }

    public Task FinishAsync(OrchestratorDbContext db, ConsumeContext<OnboardRoleRequested> context) => GiveBackUnusedAsync(db, context, context.Message.CompanyId?.Trim() ?? "", context.Message.WorkflowId);

    public Task FinishAsync(OrchestratorDbContext db, ConsumeContext<SubmitOnboarding> context) => GiveBackUnusedAsync(db, context, null, context.Message.WorkflowId);

    public Task FinishAsync(OrchestratorDbContext db, ConsumeContext<RetryOnboarding> context) => GiveBackUnusedAsync(db, context, null, context.Message.WorkflowId);

    /// <summary>A draft being submitted or a failed workflow being redriven needs a slot again (and a redrive, its role's claim).</summary>
    async Task PrepareAdmissionAsync(OrchestratorDbContext db, PipeContext context, Guid workflowId, string expectedState, bool checkInFlight)
    {
        var cancellationToken = context.CancellationToken;
        var row = await db.Workflows.AsNoTracking().Where(x => x.CorrelationId == workflowId)
            .Select(x => new { x.CompanyId, x.RoleKey, x.CurrentState })
            .SingleOrDefaultAsync(cancellationToken);
        var facts = SubmissionFacts.None;
        if (row is not null && row.CurrentState == expectedState)
        {
            if (checkInFlight)
            {
                await RoleSubmissionLock.AcquireAsync(db, row.RoleKey, cancellationToken);
            }

            facts = new SubmissionFacts
            {
                InFlight = checkInFlight ? await InFlightAsync(db, row.RoleKey, workflowId, cancellationToken) : null,
                CompanyHasWaiting = await HasWaitingAsync(db, row.CompanyId, cancellationToken),
            };
            if (facts is { InFlight: null, CompanyHasWaiting: false })
            {
                facts = facts with { Slot = await CompanySlots.ClaimAsync(db, row.CompanyId, workflowId, options.Value.MaxActivePerCompany, cancellationToken) };
            }
        }

        context.AddOrUpdatePayload(() => facts, _ => facts);
    }

    static async Task GiveBackUnusedAsync(OrchestratorDbContext db, PipeContext context, string? companyId, Guid workflowId)
    {
        if (!context.TryGetPayload(out SubmissionFacts? facts) || facts is not { Slot: { } slot, SlotTaken: false })
        {
            return;
        }

        companyId ??= await db.Workflows.AsNoTracking().Where(x => x.CorrelationId == workflowId).Select(x => x.CompanyId).SingleAsync(context.CancellationToken);
        await CompanySlots.ReleaseAsync(db, companyId, slot, workflowId, context.CancellationToken);
    }

    static Task<ExistingWorkflow?> InFlightAsync(OrchestratorDbContext db, string roleKey, Guid self, CancellationToken cancellationToken) =>
        InFlightQuery.For(db)(db, roleKey, self, cancellationToken);

    static Task<bool> HasWaitingAsync(OrchestratorDbContext db, string companyId, CancellationToken cancellationToken) =>
        HasWaitingQuery.For(db)(db, companyId, cancellationToken);

    // Compiled once: every push runs these reads inside the saga's transaction.
    static readonly CompiledQuery<Func<OrchestratorDbContext, string, Guid, CancellationToken, Task<ExistingWorkflow?>>> InFlightQuery = new(() =>
        EF.CompileAsyncQuery((OrchestratorDbContext db, string roleKey, Guid self, CancellationToken cancellationToken) =>
            db.Workflows.AsNoTracking()
                .Where(x => x.InFlightKey == roleKey && x.CorrelationId != self)
                .Select(x => new ExistingWorkflow(x.CorrelationId, x.CurrentState, x.InputHash, x.RoleId))
                .FirstOrDefault()));

    static readonly CompiledQuery<Func<OrchestratorDbContext, string, CancellationToken, Task<bool>>> HasWaitingQuery = new(() =>
        EF.CompileAsyncQuery((OrchestratorDbContext db, string companyId, CancellationToken cancellationToken) =>
            db.Workflows.AsNoTracking().Any(x => x.AwaitingAdmission && x.CompanyId == companyId && x.CurrentState == WorkflowStates.Queued)));
}
