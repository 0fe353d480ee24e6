using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga.Changes;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Starts a new attempt of ai_assessment and sends the command to the AiAssessment service.</summary>
public sealed class SendAssessmentActivity(IOutbox<OrchestratorDbContext> outbox, TimeProvider time, IOptions<OrchestratorOptions> options) : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.BeginAttempt(OnboardingSteps.AiAssessment, time.GetUtcNow(), options.Value);
        outbox.Send(saga.CorrelationId, CommandQueues.AssessRole, new AssessRole
        {
            WorkflowId = saga.CorrelationId,
            Attempt = saga.AiAssessment.Attempt,
            RoleId = saga.RoleId ?? "",
            CompanyId = saga.CompanyId,
            RoleName = saga.RoleName,
            DraupRoleName = saga.DraupRoleName,
            JobDescriptionMarkdown = saga.JobDescriptionMarkdown ?? "",
            Engine = saga.AssessmentEngine,
        });
        return Task.CompletedTask;
    }
}
