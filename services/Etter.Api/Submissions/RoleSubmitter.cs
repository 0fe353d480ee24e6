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
/// <remarks>
/// On the in-memory bus of embedded mode a message the bus took is not yet safe: it dies with the process. There a
/// role counts as accepted only once the saga has answered, for a single push and for each role of a batch, so
/// nothing acknowledged is lost when the process is killed.
/// </remarks>
public sealed class RoleSubmitter(
    IRequestClient<OnboardRoleRequested> saga,
    ISendEndpointProvider send,
    WorkflowReader workflows,
    BusDurability durability,
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
        catch (RequestTimeoutException) when (!cancellationToken.IsCancellationRequested && durability.SurvivesRestart)
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
        var queued = new ConcurrentDictionary<OnboardRoleRequested, Guid>();
        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await Parallel.ForEachAsync(toSend, new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism }, async (request, _) =>
        {
            try
            {
                if (durability.SurvivesRestart)
                {
                    await endpoint.SendBoundedAsync(request, CancellationToken.None);
                    queued[request] = request.WorkflowId;
                }
                else
                {
                    queued[request] = (await SubmitAsync(request, CancellationToken.None)) switch
                    {
                        SubmissionOutcome.Queued { Answer: var a } => a.WorkflowId,
                        SubmissionOutcome.AlreadyInFlight { Answer: var a } => a.WorkflowId,
                        SubmissionOutcome.AlreadyReady { Answer: var a } => a.WorkflowId,
                        _ => throw new InvalidOperationException("the saga did not answer in time"),
                    };
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not send {WorkflowId} of {BatchId}", request.WorkflowId, request.BatchId);
                notQueued.Add(request);
            }
        });

        var sent = toSend.Where(queued.ContainsKey).Select(r => queued[r]);
        var reused = accepted.Where(r => inFlight.ContainsKey(keys[r])).Select(r => inFlight[keys[r]]).ToList();
        return new BatchSubmission([.. sent, .. reused], reused.Count, [.. notQueued]);
    }
}
