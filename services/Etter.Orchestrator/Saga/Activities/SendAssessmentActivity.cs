using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Starts a new attempt of ai_assessment and sends the command to the AiAssessment service.</summary>
public sealed class SendAssessmentActivity(IOutbox<OrchestratorDbContext> outbox, TimeProvider time, IOptions<OrchestratorOptions> options)
    : SendStepActivity<AssessRole>(outbox, time, options)
{
    protected override string Step => OnboardingSteps.AiAssessment;

    protected override Uri Queue => CommandQueues.AssessRole;

    protected override AssessRole Command(OnboardingState saga)
    {
        ArgumentNullException.ThrowIfNull(saga);
        return new AssessRole
        {
            WorkflowId = saga.CorrelationId,
            Attempt = saga.AiAssessment.Attempt,
            RoleId = saga.RoleId ?? "",
            CompanyId = saga.CompanyId,
            RoleName = saga.RoleName,
            DraupRoleName = saga.DraupRoleName,
            JobDescriptionMarkdown = saga.JobDescriptionMarkdown ?? "",
            Engine = saga.AssessmentEngine,
        };
    }
}
