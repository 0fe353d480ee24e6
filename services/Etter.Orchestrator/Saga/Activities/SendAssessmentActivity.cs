using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Contracts;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Starts a new attempt of ai_assessment and sends the command to the AiAssessment service.</summary>
public sealed class SendAssessmentActivity(IOutbox outbox, TimeProvider time, Microsoft.Extensions.Options.IOptions<OrchestratorOptions> options) : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.AiAssessment.BeginAttempt();
        saga.ArmStartDeadline(options.Value.AiAssessment, time.GetUtcNow());
        saga.CurrentStep = OnboardingSteps.AiAssessment;
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
