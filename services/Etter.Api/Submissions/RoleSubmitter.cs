using System.Collections.Concurrent;
using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Onboarding;
using Etter.ReadModel;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Etter.Api.Submissions;

/// <summary>
/// Puts validated requests on their way, straight to the onboarding saga. A single push is a request: the saga answers
/// once the outcome is committed (a new workflow, the role's workflow already in flight, or its finished result when
/// the inputs are identical), so the answer names the workflow that does the work. If the saga does not answer in
/// time (an orchestrator restarting) but the broker took the request, the push is still accepted under its own id,
/// which stays findable whatever the saga decides. HTTP concerns stay in the endpoints.
/// </summary>
public sealed class RoleSubmitter(
    IRequestClient<OnboardRoleRequested> saga,
    ISendEndpointProvider send,
    WorkflowReader workflows,
    IOptions<Security.ApiOptions> options,
    ILogger<RoleSubmitter> logger)
{
    /// <summary>Sends of a batch in flight at once: enough to keep the broker's confirms pipelined, bounded so a huge batch cannot flood it.</summary>
    const int BatchParallelism = 64;

    public async Task<SubmissionOutcome> SubmitAsync(OnboardRoleRequested request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var answer = (await saga.GetResponse<OnboardingAccepted>(
                request,
                pipe => pipe.UseExecute(context => context.TimeToLive = null), // a request must outlive the wait: the saga records it whenever it gets it
                cancellationToken,
                RequestTimeout.After(ms: (int)options.Value.SubmitTimeout.TotalMilliseconds))).Message;
            return answer.Outcome switch
            {
                SubmissionOutcomes.InFlight => new SubmissionOutcome.AlreadyInFlight(answer),
                SubmissionOutcomes.AlreadyReady => new SubmissionOutcome.AlreadyReady(answer),
                _ => new SubmissionOutcome.Queued(answer),
            };
        }
        catch (RequestTimeoutException) when (!cancellationToken.IsCancellationRequested)
        {
            // The broker took it (a failed send throws otherwise); the saga records it when it is back.
            logger.LogWarning("No answer yet to OnboardRoleRequested for {WorkflowId}; accepted unconfirmed", request.WorkflowId);
            return new SubmissionOutcome.Unconfirmed(request.WorkflowId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Could not send OnboardRoleRequested for {WorkflowId}", request.WorkflowId);
            return new SubmissionOutcome.Unavailable();
        }
    }

    /// <summary>
    /// Queues the accepted roles of a batch without waiting for each answer: roles already in flight keep their
    /// workflow (one read for all), the rest are sent to the saga, which records a duplicate should a role become
    /// in flight meanwhile.
    /// </summary>
    public async Task<BatchSubmission> SubmitBatchAsync(IReadOnlyList<OnboardRoleRequested> accepted, bool forceRerun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        var keys = accepted.ToDictionary(r => r, r => CompanyRoleId.For(r.CompanyId, r.RoleName));
        var inFlight = forceRerun ? [] : await workflows.InFlightByRoleKeyAsync(keys.Values.ToList(), cancellationToken);
        var toSend = accepted.Where(r => !inFlight.ContainsKey(keys[r])).ToList();
        var notQueued = new ConcurrentBag<OnboardRoleRequested>();
        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await Parallel.ForEachAsync(toSend, new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism }, async (request, _) =>
        {
            try
            {
                await endpoint.SendBoundedAsync(request, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not send {WorkflowId} of {BatchId}", request.WorkflowId, request.BatchId);
                notQueued.Add(request);
            }
        });

        var sent = toSend.Except(notQueued).Select(r => r.WorkflowId);
        var reused = accepted.Where(r => inFlight.ContainsKey(keys[r])).Select(r => inFlight[keys[r]]).ToList();
        return new BatchSubmission([.. sent, .. reused], reused.Count, [.. notQueued]);
    }
}
