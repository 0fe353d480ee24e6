using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Contracts;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Starts a new attempt of role_setup and sends the command to the RoleSetup service.</summary>
public sealed class SendRoleSetupActivity(IOutbox outbox, TimeProvider time, Microsoft.Extensions.Options.IOptions<OrchestratorOptions> options) : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.RoleSetup.BeginAttempt();
        saga.CurrentStep = OnboardingSteps.RoleSetup;
        saga.ArmStartDeadline(options.Value.RoleSetup, time.GetUtcNow());
        var request = saga.Request;
        outbox.Send(saga.CorrelationId, CommandQueues.SetUpRole, new SetUpRole
        {
            WorkflowId = saga.CorrelationId,
            Attempt = saga.RoleSetup.Attempt,
            CompanyId = saga.CompanyId,
            RoleName = saga.RoleName,
            DraupRoleId = saga.DraupRoleId,
            DraupRoleName = saga.DraupRoleName,
            Documents = request.Documents,
            RequestedBy = saga.RequestedBy,
        });
        return Task.CompletedTask;
    }
}
