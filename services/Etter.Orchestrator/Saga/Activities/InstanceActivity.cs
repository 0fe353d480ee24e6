using MassTransit;

namespace Etter.Orchestrator.Saga.Activities;

/// <summary>Plumbing for activities that act on the saga whatever event triggered them.</summary>
public abstract class InstanceActivity : IStateMachineActivity<OnboardingState>
{
    /// <param name="context">The saga and the triggering event.</param>
    /// <param name="message">The message that triggered the event, when there is one.</param>
    protected abstract Task RunAsync(BehaviorContext<OnboardingState> context, object? message);

    public async Task Execute(BehaviorContext<OnboardingState> context, IBehavior<OnboardingState> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        await RunAsync(context, message: null);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<OnboardingState, T> context, IBehavior<OnboardingState, T> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await RunAsync(context, context.Message);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<OnboardingState, TException> context, IBehavior<OnboardingState> next)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(next);
        return next.Faulted(context);
    }

    public Task Faulted<T, TException>(BehaviorExceptionContext<OnboardingState, T, TException> context, IBehavior<OnboardingState, T> next)
        where T : class
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(next);
        return next.Faulted(context);
    }

    public void Accept(StateMachineVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        visitor.Visit(this);
    }

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CreateScope(GetType().Name);
    }
}
