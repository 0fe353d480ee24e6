namespace Etter.Orchestrator.Saga.Changes;

/// <summary>Arming and clearing a workflow's timers; <see cref="OnboardingState.NextDeadlineAt"/> always follows them.</summary>
public static class DeadlineChanges
{
    public static void StartWorkflowClock(this OnboardingState state, DateTimeOffset now, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Deadlines.WorkflowAt = now + limit;
        state.Rearm();
    }

    /// <summary>
    /// A step command was just sent. Workers report back when they finish (a long assessment also when it starts), so
    /// the attempt must be done within the start timeout plus the run timeout of being sent.
    /// </summary>
    public static void ArmStart(this OnboardingState state, StepPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        state.Deadlines.StepAt = now + policy.StartTimeout + policy.Timeout;
        state.Deadlines.HeartbeatAt = null;
        state.Rearm();
    }

    /// <summary>A worker started the attempt: it must finish within the timeout and, if the policy says so, keep beating.</summary>
    public static void ArmRun(this OnboardingState state, StepPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        state.Deadlines.StepAt = now + policy.Timeout;
        state.Deadlines.HeartbeatAt = policy.HeartbeatTimeout is { } gap ? now + gap : null;
        state.Rearm();
    }

    public static void ExtendHeartbeat(this OnboardingState state, StepPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.HeartbeatTimeout is { } gap)
        {
            state.Deadlines.HeartbeatAt = now + gap;
            state.Rearm();
        }
    }

    public static void ScheduleRetry(this OnboardingState state, string step, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Deadlines.RetryAt = at;
        state.Deadlines.RetryStep = step;
        state.Rearm();
    }

    public static void ClearRetry(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Deadlines.RetryAt = null;
        state.Deadlines.RetryStep = null;
        state.Rearm();
    }

    public static void ClearStep(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Deadlines.StepAt = null;
        state.Deadlines.HeartbeatAt = null;
        state.Rearm();
    }

    public static void ClearAll(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var d = state.Deadlines;
        (d.RetryAt, d.RetryStep, d.StepAt, d.HeartbeatAt, d.WorkflowAt) = (null, null, null, null, null);
        state.NextDeadlineAt = null;
    }

    /// <summary>Points the sweeper at the earliest deadline left (also after a dispatch that found nothing due).</summary>
    public static void Rearm(this OnboardingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var d = state.Deadlines;
        state.NextDeadlineAt = new[] { d.RetryAt, d.StepAt, d.HeartbeatAt, d.WorkflowAt }.Where(at => at.HasValue).Min();
    }
}
