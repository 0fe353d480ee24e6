using Etter.Contracts;
using Etter.StatusStore;

namespace Etter.Shared.Tests.StatusStore;

public sealed class InMemoryWorkflowStatusStoreTests
{
    [Fact]
    public async Task OlderVersion_NeverOverwritesNewerStatus()
    {
        var store = new InMemoryWorkflowStatusStore();
        var id = Guid.NewGuid();
        var newer = new OnboardingStatus { WorkflowId = id, Revision = 5, Status = "ready" };
        var older = newer with { Revision = 4, Status = "processing" };

        Assert.True(await store.TryWriteAsync(newer, CancellationToken.None));
        Assert.False(await store.TryWriteAsync(older, CancellationToken.None));
        Assert.Equal("ready", (await store.GetAsync(id, CancellationToken.None))!.Status);
    }
}
