using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Submission;
using Etter.ReadModel;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>
/// Answers a submitted role's requester (the API) with <see cref="OnboardingAccepted"/>, through the outbox, so the
/// answer leaves only once what it announces is committed: the workflow that does the work, which for a duplicate is
/// the other one. Published requests have no requester and get no answer.
/// </summary>
public sealed class RespondAcceptedActivity(IOutbox<OrchestratorDbContext> outbox) : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.HasRequester() || message is not OnboardRoleRequested request)
        {
            return Task.CompletedTask;
        }

        var saga = context.Saga;
        var decision = context.TryGetPayload(out SubmissionDecision? decided) ? decided : null;
        var answer = decision switch
        {
            SubmissionDecision.Duplicate duplicate => new OnboardingAccepted
            {
                WorkflowId = duplicate.Of.WorkflowId,
                Outcome = duplicate.Outcome,
                Status = WorkflowStates.ToWire(duplicate.Of.State),
                RoleId = duplicate.Of.RoleId,
            },
            // A redelivered request of a recorded duplicate: point at the workflow doing the work again.
            null when saga.DuplicateOf is { } of => new OnboardingAccepted { WorkflowId = of, Outcome = SubmissionOutcomes.InFlight, Status = OnboardingStatuses.Queued },
            _ => new OnboardingAccepted
            {
                WorkflowId = saga.CorrelationId,
                Outcome = decision is SubmissionDecision.Invalid ? SubmissionOutcomes.Invalid : SubmissionOutcomes.Created,
                Status = WorkflowStates.ToWire(saga.CurrentState),
                RoleId = saga.RoleId,
                Supersedes = decision switch
                {
                    SubmissionDecision.Start start => start.Supersedes,
                    SubmissionDecision.Draft draft => draft.Supersedes,
                    _ => null,
                },
                Error = saga.ErrorCode is null ? null : new OnboardingError { Code = saga.ErrorCode, Message = saga.ErrorMessage ?? "", Recoverable = saga.ErrorRecoverable ?? false },
            },
        };
        outbox.Send(saga.CorrelationId, context.ResponseAddress!, answer with { RequestedWorkflowId = request.WorkflowId }, context.RequestId);
        return Task.CompletedTask;
    }
}
