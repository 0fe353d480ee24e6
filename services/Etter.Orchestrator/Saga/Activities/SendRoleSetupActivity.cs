using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Starts a new attempt of role_setup and sends the command to the RoleSetup service.</summary>
public sealed class SendRoleSetupActivity(IOutbox<OrchestratorDbContext> outbox, TimeProvider time, IOptions<OrchestratorOptions> options)
    : SendStepActivity<SetUpRole>(outbox, time, options)
{
    protected override string Step => OnboardingSteps.RoleSetup;

    protected override Uri Queue => CommandQueues.SetUpRole;

    protected override SetUpRole Command(OnboardingState saga)
    {
        ArgumentNullException.ThrowIfNull(saga);
        return new SetUpRole
        {
            WorkflowId = saga.CorrelationId,
            Attempt = saga.RoleSetup.Attempt,
            CompanyId = saga.CompanyId,
            RoleName = saga.RoleName,
            DraupRoleId = saga.DraupRoleId,
            DraupRoleName = saga.DraupRoleName,
            Documents = saga.Request().Documents,
            RequestedBy = saga.RequestedBy,
        };
    }
}
