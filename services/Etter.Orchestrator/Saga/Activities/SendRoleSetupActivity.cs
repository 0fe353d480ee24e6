using Etter.BuildingBlocks.Messaging;
using Etter.Contracts;
using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Starts a new attempt of role_setup and sends the command to the RoleSetup service.</summary>
public sealed class SendRoleSetupActivity : InstanceActivity
{
    protected override async Task RunAsync(BehaviorContext<OnboardingState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.RoleSetup.BeginAttempt();
        var request = saga.Request;
        var endpoint = await context.GetSendEndpoint(CommandQueues.SetUpRole);
        await endpoint.Send(new SetUpRole
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
    }
}
