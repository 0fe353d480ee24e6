using Etter.Messaging.Outbox;
using Etter.Orchestrator.Persistence;
using Etter.Orchestrator.Saga.Changes;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>
/// Starts a new attempt of a step and sends the step's command through the outbox, so the command leaves only if
/// the transition that decided it commits.
/// </summary>
public abstract class SendStepActivity<TCommand>(IOutbox<OrchestratorDbContext> outbox, TimeProvider time, IOptions<OrchestratorOptions> options) : InstanceActivity
    where TCommand : class
{
    protected abstract string Step { get; }

    protected abstract Uri Queue { get; }

    /// <summary>The command for the attempt just begun (its number is on the saga's step state).</summary>
    protected abstract TCommand Command(OnboardingState saga);

    protected override Task RunAsync(BehaviorContext<OnboardingState> context, object? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.BeginAttempt(Step, time.GetUtcNow(), options.Value);
        outbox.Send(saga.CorrelationId, Queue, Command(saga));
        return Task.CompletedTask;
    }
}
