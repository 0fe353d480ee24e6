using Etter.Contracts;
using MassTransit;

namespace Etter.Api.Submissions;

/// <summary>
/// Puts validated requests on their way: each is sent straight to the onboarding saga as a request, and the saga
/// answers once the outcome is committed: a new workflow, the role's workflow already in flight, or its finished
/// result when the inputs are identical. HTTP concerns stay in the endpoints.
/// </summary>
public sealed class RoleSubmitter(IRequestClient<OnboardRoleRequested> saga, ILogger<RoleSubmitter> logger)
{
    /// <summary>Requests of a batch in flight at once: enough to keep the broker busy, bounded so a huge batch cannot flood it.</summary>
    const int BatchParallelism = 64;

    public async Task<SubmissionOutcome> SubmitAsync(OnboardRoleRequested request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var answer = (await saga.GetResponse<OnboardingAccepted>(request, cancellationToken)).Message;
            return answer.Outcome switch
            {
                SubmissionOutcomes.InFlight => new SubmissionOutcome.AlreadyInFlight(answer),
                SubmissionOutcomes.AlreadyReady => new SubmissionOutcome.AlreadyReady(answer),
                _ => new SubmissionOutcome.Queued(answer),
            };
        }
        catch (Exception ex) when (ex is RequestTimeoutException or RequestException && !cancellationToken.IsCancellationRequested)
        {
            // Not confirmed, not necessarily lost: pushing again is safe, the saga returns the workflow if it exists.
            logger.LogError(ex, "No answer to OnboardRoleRequested for {WorkflowId}", request.WorkflowId);
            return new SubmissionOutcome.Unavailable();
        }
    }

    /// <summary>Submits the accepted roles of a batch; roles already in flight keep their workflow.</summary>
    public async Task<BatchSubmission> SubmitBatchAsync(IReadOnlyList<OnboardRoleRequested> accepted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        var outcomes = new SubmissionOutcome[accepted.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, accepted.Count), new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken }, async (i, token) =>
            outcomes[i] = await SubmitAsync(accepted[i], token));
        var queued = outcomes.OfType<SubmissionOutcome.Queued>().Select(o => o.Answer.WorkflowId);
        var reused = outcomes.OfType<SubmissionOutcome.AlreadyInFlight>().Select(o => o.Answer.WorkflowId)
            .Concat(outcomes.OfType<SubmissionOutcome.AlreadyReady>().Select(o => o.Answer.WorkflowId))
            .ToList();
        var notQueued = accepted.Where((_, i) => outcomes[i] is SubmissionOutcome.Unavailable).ToList();
        return new BatchSubmission([.. queued, .. reused], reused.Count, notQueued);
    }
}
