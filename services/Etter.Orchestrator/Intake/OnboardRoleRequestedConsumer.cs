using Etter.Messaging.Bus;
using MassTransit;

namespace Etter.Orchestrator.Intake;

/// <summary>
/// The public front door for <see cref="OnboardRoleRequested"/>: accepts MassTransit envelopes and plain
/// JSON from non-.NET publishers alike, rejects messages that lack (or leave blank) the fields every
/// workflow needs, and hands the rest to the saga, which validates the finer points. Rejections go to the <c>_error</c> queue with the reason in the fault headers.
/// </summary>
public sealed class OnboardRoleRequestedConsumer : IConsumer<OnboardRoleRequested>
{
    public async Task Consume(ConsumeContext<OnboardRoleRequested> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Message;
        var missing = new List<string>();
        if (request.WorkflowId == Guid.Empty)
        {
            missing.Add("workflowId");
        }

        if (string.IsNullOrWhiteSpace(request.CompanyId))
        {
            missing.Add("companyId");
        }

        if (string.IsNullOrWhiteSpace(request.RoleName))
        {
            missing.Add("roleName");
        }

        if (missing.Count > 0)
        {
            throw new InvalidOnboardingRequestException($"OnboardRoleRequested is missing required field(s): {string.Join(", ", missing)}.");
        }

        var saga = await context.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await saga.SendBoundedAsync(request with { RequestedAt = request.RequestedAt == default ? DateTimeOffset.UtcNow : request.RequestedAt }, context.CancellationToken);
    }
}
