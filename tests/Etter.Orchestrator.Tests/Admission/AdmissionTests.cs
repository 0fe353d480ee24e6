using Etter.Contracts;
using Etter.Orchestrator.Tests.Support;
using Etter.ReadModel;
using Etter.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Orchestrator.Tests.Admission;

/// <summary>Per-company backpressure: a company's excess waits in line, and another company is never held back by it.</summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task BigBatchFromOneCompany_WaitsInLineWhileAnotherCompanysPushStartsAtOnce()
    {
        await using var saga = await SagaHarness.StartAsync(settings: new Dictionary<string, string?> { ["Etter:Orchestrator:MaxActivePerCompany"] = "2" });
        var batch = new List<Guid>();
        foreach (var i in Enumerable.Range(0, 5))
        {
            // One after another, so who comes first is known: the first two are admitted as they are recorded.
            var id = Guid.NewGuid();
            batch.Add(id);
            await saga.Harness.Bus.Publish(Messages.Onboard(id, company: "Big Co", role: $"Role {i}") with { RequestedAt = DateTimeOffset.UtcNow.AddSeconds(i) });
            await saga.WaitForAsync(id, s => s.Revision >= 1);
        }

        var single = Guid.NewGuid();
        await saga.Harness.Bus.Publish(Messages.Onboard(single, company: "Small Co", role: "Only Role"));

        // The small company's push is admitted even though the big company's line is long.
        await saga.WaitForAsync(single, s => s.RoleSetup.Attempt == 1);
        await saga.WaitForAsync(batch[1], s => s.RoleSetup.Attempt == 1);
        await saga.WaitForAsync(batch[0], s => s.RoleSetup.Attempt == 1);
        foreach (var id in batch.Skip(2))
        {
            Assert.True((await saga.LoadAsync(id))!.AwaitingAdmission, "beyond the company's limit, so still waiting");
        }

        await using (var scope = saga.Services.CreateAsyncScope())
        {
            var reader = scope.ServiceProvider.GetRequiredService<WorkflowReader>();
            var positions = new List<int?>();
            foreach (var id in batch.Skip(2))
            {
                positions.Add(await reader.PositionInQueueAsync(id, CancellationToken.None));
            }

            Assert.Equal(new int?[] { 1, 2, 3 }, positions);
            Assert.Null(await reader.PositionInQueueAsync(batch[0], CancellationToken.None));
        }

        // When one of the admitted finishes, the next in line gets its slot.
        await saga.Harness.Bus.Publish(new RoleSetupFailed { WorkflowId = batch[0], Attempt = 1, Error = Messages.Error("BAD", recoverable: false), FailedAt = DateTimeOffset.UtcNow });
        await saga.WaitForAsync(batch[0], s => s.CurrentState == saga.Machine.Failed.Name);
        await saga.WaitForAsync(batch[2], s => s.RoleSetup.Attempt == 1);
        Assert.True((await saga.LoadAsync(batch[3]))!.AwaitingAdmission);
    }
}
