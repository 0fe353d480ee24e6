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
/// which stays findable whatever the saga decides. A write that fails after reaching the bus, or that the broker has
/// not confirmed by then, may or may not have been queued; that is reported as uncertain, never as "not queued" (a
/// client would give up on a role that then runs) nor as accepted (a lost write would break the promise). HTTP
/// concerns stay in the endpoints.
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
        var write = new BrokerWriteWitness();

        // MassTransit starts the answer's timer only once the write reaches the transport; with the broker down it
        // would wait for a connection as long as the caller does. Reaching the transport gets the bound every other
        // write has; once there, the confirm gets it again and the answer its own wait.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(BoundedBrokerWrites.DefaultTimeout);
        using var handle = saga.Create(request, deadline.Token, RequestTimeout.After(ms: (int)options.Value.SubmitTimeout.TotalMilliseconds));
        handle.UseExecute(context =>
        {
            context.TimeToLive = null; // a request must outlive the wait: the saga records it whenever it gets it
            write.Witness(context);
            deadline.CancelAfter(BoundedBrokerWrites.DefaultTimeout + options.Value.SubmitTimeout);
        });
        try
        {
            var answer = (await handle.GetResponse<OnboardingAccepted>()).Message;
            return answer.Outcome switch
            {
                SubmissionOutcomes.InFlight => new SubmissionOutcome.AlreadyInFlight(answer),
                SubmissionOutcomes.AlreadyReady => new SubmissionOutcome.AlreadyReady(answer),
                _ => new SubmissionOutcome.Queued(answer),
            };
        }
        catch (RequestTimeoutException) when (!cancellationToken.IsCancellationRequested && durability.SurvivesRestart && handle.Message.IsCompletedSuccessfully)
        {
            // The request's message task completes only once the broker confirmed the write; the saga records it when it is back.
            logger.LogWarning("No answer yet to OnboardRoleRequested for {WorkflowId}; accepted unconfirmed", request.WorkflowId);
            return new SubmissionOutcome.Unconfirmed(request.WorkflowId);
        }
        catch (Exception ex) when (write.MayHaveReachedBroker && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // Not confirmed in time (or the bus failed mid-write), so neither "queued" nor "not queued" is the truth.
            logger.LogWarning(ex, "OnboardRoleRequested for {WorkflowId} reached the bus but was not confirmed", request.WorkflowId);
            return new SubmissionOutcome.Uncertain(request.WorkflowId);
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
        var outcomes = new ConcurrentDictionary<OnboardRoleRequested, SubmissionOutcome>();
        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await Parallel.ForEachAsync(toSend, new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism }, async (request, _) =>
            outcomes[request] = durability.SurvivesRestart
                ? await SendOneAsync(endpoint, request)
                : await SubmitAsync(request, CancellationToken.None));

        // Ids in the order of the roles, so a client can pair them with the roles it sent (less rejected and uncertain ones).
        var workflowIds = new List<Guid>();
        var reused = 0;
        var notQueued = new List<OnboardRoleRequested>();
        var uncertain = new List<OnboardRoleRequested>();
        foreach (var request in accepted)
        {
            if (inFlight.TryGetValue(keys[request], out var running))
            {
                workflowIds.Add(running);
                reused++;
                continue;
            }

            var outcome = outcomes[request];
            if (outcome.AcceptedWorkflowId is { } id)
            {
                workflowIds.Add(id);
            }
            else if (outcome is SubmissionOutcome.Uncertain)
            {
                uncertain.Add(request);
            }
            else
            {
                notQueued.Add(request);
            }
        }

        return new BatchSubmission(workflowIds, reused, notQueued, uncertain);
    }

    /// <summary>A role of a batch on a durable bus: queued once the broker confirms it, the saga's answer not awaited.</summary>
    async Task<SubmissionOutcome> SendOneAsync(ISendEndpoint endpoint, OnboardRoleRequested request)
    {
        var write = new BrokerWriteWitness();
        try
        {
            await endpoint.SendBoundedAsync(request, typeof(OnboardRoleRequested), write.Witness, CancellationToken.None);
            return new SubmissionOutcome.Unconfirmed(request.WorkflowId);
        }
        catch (Exception ex) when (write.MayHaveReachedBroker)
        {
            logger.LogWarning(ex, "{WorkflowId} of {BatchId} reached the bus but was not confirmed", request.WorkflowId, request.BatchId);
            return new SubmissionOutcome.Uncertain(request.WorkflowId);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not send {WorkflowId} of {BatchId}", request.WorkflowId, request.BatchId);
            return new SubmissionOutcome.Unavailable();
        }
    }
}
