using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Orchestrator.Tests.Support;
using Etter.TestSupport;
using MassTransit;

namespace Etter.Orchestrator.Tests.Saga;

/// <summary>A worker that throws must fail the step (via MassTransit's Fault&lt;T&gt;), never leave the workflow hanging.</summary>
public sealed class ConsumerCrashTests
{
    sealed class CrashingSetUpRoleConsumer : IConsumer<SetUpRole>
    {
        public Task Consume(ConsumeContext<SetUpRole> context) => throw new InvalidOperationException("role graph exploded");
    }

    [Fact]
    public async Task RoleSetupConsumerKeepsThrowing_RetriedPerPolicyThenFailsAtRoleSetupAsRecoverable()
    {
        // Real sweeper and outbox relay on short delays: the whole retry loop, end to end.
        await using var saga = await SagaHarness.StartAsync(
            registerMore: bus => bus.AddConsumer<CrashingSetUpRoleConsumer>().Endpoint(e => e.Name = CommandQueues.SetUpRoleName),
            settings: new Dictionary<string, string?>
            {
                ["Etter:Orchestrator:RoleSetup:InitialDelay"] = "00:00:00.020",
                ["Etter:Orchestrator:SweepInterval"] = "00:00:00.050",
            });
        var id = Guid.NewGuid();

        await saga.Harness.Bus.Publish(Messages.Onboard(id));

        var state = await saga.WaitForAsync(id, s => s.CurrentState == saga.Machine.Failed.Name);
        Assert.Equal(OnboardingSteps.RoleSetup, state.FailedStep);
        Assert.Equal(ErrorCodes.RoleSetupFailed, state.ErrorCode);
        Assert.Contains("role graph exploded", state.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("gave up after 3 attempts", state.ErrorMessage, StringComparison.Ordinal);
        Assert.True(state.ErrorRecoverable);
        Assert.Equal(3, state.RoleSetup.Attempt);
        Assert.Equal(3, (await saga.SentAsync<SetUpRole>(m => m.WorkflowId == id)).Count);
    }
}
