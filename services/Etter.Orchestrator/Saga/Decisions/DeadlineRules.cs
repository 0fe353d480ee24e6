using Etter.ReadModel;

namespace Etter.Orchestrator.Saga.Decisions;

/// <summary>Decides what a workflow's due deadlines mean. Reads the state, changes nothing.</summary>
public static class DeadlineRules
{
    public static DeadlineDecision Evaluate(OnboardingState state, DateTimeOffset now, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var deadlines = state.Deadlines;
        if (deadlines.WorkflowAt <= now)
        {
            return new DeadlineDecision.WorkflowTimedOut(new OnboardingError
            {
                Code = ErrorCodes.WorkflowTimeout,
                Message = $"The workflow did not finish within {options.WorkflowTimeout}.",
                Recoverable = true,
            });
        }

        if (deadlines.RetryAt <= now && deadlines.RetryStep is { } retryStep)
        {
            return new DeadlineDecision.RetryDue(retryStep);
        }

        var running = state.RoleSetup.Status == StepStatuses.Running ? OnboardingSteps.RoleSetup
            : state.AiAssessment.Status == StepStatuses.Running ? OnboardingSteps.AiAssessment
            : null;
        if (running is not null)
        {
            var attempt = state.Step(running).Attempt;
            if (deadlines.StepAt <= now)
            {
                var timeout = options.PolicyFor(running).Timeout;
                return Lost(running, ErrorCodes.Timeout, $"{running} attempt {attempt} did not finish within {timeout}.");
            }

            return deadlines.HeartbeatAt <= now
                ? Lost(running, ErrorCodes.WorkerLost, $"{running} attempt {attempt} stopped sending heartbeats; its worker is presumed lost.")
                : new DeadlineDecision.NothingDue();
        }

        // Sent but never heard of again: the command, or the worker that took it, is presumed lost.
        if (state.CurrentStep is { } current && state.Step(current) is { Status: StepStatuses.Pending, Attempt: > 0 } sent && deadlines.StepAt <= now)
        {
            var policy = options.PolicyFor(current);
            return Lost(current, ErrorCodes.WorkerLost, $"{current} attempt {sent.Attempt} did not finish within {policy.StartTimeout + policy.Timeout} of being sent; the command or its worker is presumed lost.");
        }

        return new DeadlineDecision.NothingDue();
    }

    /// <summary>
    /// The deadlines of a workflow after a restart that lost the messages in flight (the in-memory bus of embedded
    /// mode): the attempt in flight comes due now, so <see cref="Evaluate"/> finds it lost and the step's retry policy
    /// runs it again. Null when nothing of the workflow was in flight: not processing, or waiting on a durable timer.
    /// </summary>
    public static Deadlines? AfterLostMessages(OnboardingState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.CurrentState != WorkflowStates.Processing || state.CurrentStep is not { } current || state.Deadlines.RetryAt is not null)
        {
            return null;
        }

        var step = state.Step(current);
        var due = new Deadlines
        {
            RetryAt = state.Deadlines.RetryAt,
            RetryStep = state.Deadlines.RetryStep,
            StepAt = state.Deadlines.StepAt,
            HeartbeatAt = state.Deadlines.HeartbeatAt,
            WorkflowAt = state.Deadlines.WorkflowAt,
        };
        switch (step)
        {
            case { Status: StepStatuses.Running }:
                // "Stopped sending heartbeats; its worker is presumed lost": what happened to it.
                due.HeartbeatAt = now;
                return due;
            case { Status: StepStatuses.Pending, Attempt: > 0 }:
                due.StepAt = now;
                return due;
            default:
                return null;
        }
    }

    static DeadlineDecision.AttemptLost Lost(string step, string code, string message) =>
        new(step, new OnboardingError { Code = code, Message = message, Recoverable = true });
}
