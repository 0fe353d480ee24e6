using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga.Changes;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Starts a new attempt of role_setup and sends the command to the RoleSetup service.</summary>
public sealed class SendRoleSetupActivity(IOutbox<OrchestratorDbContext> outbox, TimeProvider time, IOptions<OrchestratorOptions> options) : InstanceActivity
{
    protected override Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.BeginAttempt(OnboardingSteps.RoleSetup, time.GetUtcNow(), options.Value);
        outbox.Send(saga.CorrelationId, CommandQueues.SetUpRole, new SetUpRole
        {
            WorkflowId = saga.CorrelationId,
            Attempt = saga.RoleSetup.Attempt,
            CompanyId = saga.CompanyId,
            RoleName = saga.RoleName,
            DraupRoleId = saga.DraupRoleId,
            DraupRoleName = saga.DraupRoleName,
            Documents = saga.Request().Documents,
            RequestedBy = saga.RequestedBy,
        });
        return Task.CompletedTask;
    }
}
