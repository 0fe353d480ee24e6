namespace Etter.Orchestrator.Saga.Decisions;

/// <summary>
/// The single retry layer for steps: a failed attempt is retried after the policy's backoff while the error is
/// recoverable and attempts remain; otherwise the workflow fails at that step. Consumers never retry with backoff.
/// </summary>
public static class RetryRules
{
    /// <param name="attemptsThisRun">Attempts of the step since the last (re)drive, the failed one included.</param>
    /// <param name="random">In [0, 1), spreads the backoff (<see cref="StepPolicy.Jitter"/>).</param>
    public static RetryDecision Decide(OnboardingError error, int attemptsThisRun, StepPolicy policy, DateTimeOffset now, double random)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(policy);
        if (error.Recoverable && attemptsThisRun < policy.MaxAttempts)
        {
            return new RetryDecision.RetryAt(now + policy.DelayBefore(attemptsThisRun, random));
        }

        // Saying how many attempts were spent tells the user a retry of their own already happened.
        var final = attemptsThisRun > 1 && error.Recoverable
            ? error with { Message = $"{error.Message} (gave up after {attemptsThisRun} attempts)" }
            : error;
        return new RetryDecision.GiveUp(final);
    }
}
