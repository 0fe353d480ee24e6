using Etter.Contracts;
using Etter.StatusStore;
using MassTransit;

namespace Etter.Api.Status;

/// <summary>Keeps the fast status store in step with the saga, one state-changed event at a time.</summary>
public sealed class OnboardingStatusProjectionConsumer(IWorkflowStatusStore store) : IConsumer<OnboardingStateChanged>
{
    public Task Consume(ConsumeContext<OnboardingStateChanged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return store.TryWriteAsync(context.Message.Status, context.CancellationToken);
    }
}
