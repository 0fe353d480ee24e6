using MassTransit;

namespace Etter.Orchestrator.Saga.Decisions;

/// <summary>
/// Carries a decision from the activity that makes it to the branches that act on it, for the handling of one message.
/// It rides on the message's context, never on the saga row.
/// </summary>
public static class Decided
{
    public static T Remember<T>(this PipeContext context, T decision)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.AddOrUpdatePayload(() => decision, _ => decision);
    }

    public static T Recall<T>(this PipeContext context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.TryGetPayload(out T? decision)
            ? decision
            : throw new InvalidOperationException($"No {typeof(T).Name} was decided while handling this message.");
    }
}
