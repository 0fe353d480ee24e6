using Etter.Orchestrator.Saga;
using Etter.ReadModel;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Tests.Saga;

/// <summary>
/// current_state holds the machine's state names. Code that cannot reach a machine instance names them
/// otherwise: the read model by its own constants, integration tests and the benchmark with
/// <c>nameof(OnboardingStateMachine.Ready)</c>. Both hold only while these tests pass.
/// </summary>
public sealed class StateNameTests
{
    static readonly OnboardingStateMachine Machine = new(TimeProvider.System, Options.Create(new OrchestratorOptions()));

    [Fact]
    public void EveryState_IsNamedAfterItsMachineProperty()
    {
        var properties = typeof(OnboardingStateMachine).GetProperties().Where(p => p.PropertyType == typeof(State)).ToList();

        Assert.NotEmpty(properties);
        Assert.All(properties, p => Assert.Equal(p.Name, ((State)p.GetValue(Machine)!).Name));
    }

    [Fact]
    public void ReadModelStateNames_AreTheMachines()
    {
        Assert.Equal(WorkflowStates.Draft, Machine.Draft.Name);
        Assert.Equal(WorkflowStates.Queued, Machine.Queued.Name);
        Assert.Equal(WorkflowStates.Processing, Machine.Processing.Name);
        Assert.Equal(WorkflowStates.Ready, Machine.Ready.Name);
        Assert.Equal(WorkflowStates.Degraded, Machine.Degraded.Name);
    }
}
