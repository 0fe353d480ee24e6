using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Submission;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>A new workflow with changed inputs makes the role's finished one stale: tell that workflow, after the commit.</summary>
public sealed class MarkSupersededActivity(IOutbox<OrchestratorDbContext> outbox) : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var supersedes = context.TryGetPayload(out SubmissionDecision? decision) ? decision switch
        {
            SubmissionDecision.Start start => start.Supersedes,
            SubmissionDecision.Draft draft => draft.Supersedes,
            _ => null,
        } : null;
        if (supersedes is { } old)
        {
            var saga = context.Saga;
            outbox.Send(old, CommandQueues.OnboardingSaga, new MarkOnboardingStale { WorkflowId = old, SupersededBy = saga.CorrelationId, RequestedBy = saga.RequestedBy });
        }

        return Task.CompletedTask;
    }
}
