using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Orchestrator.Tests.Support;
using Etter.TestSupport;
using MassTransit.Testing;

namespace Etter.Orchestrator.Tests.Saga;

/// <summary>The envelope's CorrelationId is the workflow id, which the saga endpoint partitions by.</summary>
public sealed class WorkflowCorrelationTests
{
    [Fact]
    public void EveryContractWithAWorkflowId_IsRegistered()
    {
        var expected = typeof(OnboardRoleRequested).Assembly.GetExportedTypes()
            .Count(t => t.IsClass && !t.IsAbstract && t.GetProperty("WorkflowId")?.PropertyType == typeof(Guid));

        Assert.True(expected >= 10, $"only {expected} contracts carry a WorkflowId");
        Assert.Equal(expected, WorkflowCorrelation.EnsureRegistered());
    }

    [Fact]
    public async Task PublishedEvent_CarriesItsWorkflowIdAsCorrelationId()
    {
        WorkflowCorrelation.EnsureRegistered();
        await using var saga = await SagaHarness.StartAsync();
        var id = Guid.NewGuid();

        await saga.Harness.Bus.Publish(Messages.Onboard(id));

        Assert.True(await Eventually.TrueAsync(() => saga.Harness.Published.SoFar<OnboardRoleRequested>(m => m.Context.Message.WorkflowId == id).Any()));
        var published = saga.Harness.Published.SoFar<OnboardRoleRequested>(m => m.Context.Message.WorkflowId == id).First();
        Assert.Equal(id, published.Context.CorrelationId);
    }
}
