using MassTransit;

namespace Etter.Messaging.Bus;

/// <summary>Routes a workflow's messages by its id: the envelope's correlation id (see <see cref="WorkflowCorrelation"/>).</summary>
public static class WorkflowRouting
{
    public static void SetRoutingKey(SendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CorrelationId is { } workflowId)
        {
            context.SetRoutingKey(workflowId.ToString("N"));
        }
    }
}
