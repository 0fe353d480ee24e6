using Etter.Contracts;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Submission;
using Etter.ReadModel;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>
/// Answers a submitted role's requester (the API) with <see cref="OnboardingAccepted"/>, through the outbox, so the
/// answer leaves only once what it announces is committed. Published requests have no requester and get no answer.
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
            SubmissionDecision.ReturnExisting existing => new OnboardingAccepted
            {
                WorkflowId = existing.Workflow.WorkflowId,
                Outcome = existing.Outcome,
                Status = WorkflowStates.ToWire(existing.Workflow.State),
                RoleId = existing.Workflow.RoleId,
            },
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
