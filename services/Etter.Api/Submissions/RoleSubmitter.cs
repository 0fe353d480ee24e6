using System.Collections.Concurrent;
using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Onboarding;
using Etter.ReadModel;
using Etter.StatusStore;
using MassTransit;

namespace Etter.Api.Submissions;

/// <summary>
/// Puts validated requests on their way: idempotent submit (a role in flight is returned, not started twice),
/// reuse or supersede of a finished result, the publish, and the placeholder status that makes a new workflow
/// visible at once. HTTP concerns stay in the endpoints.
/// </summary>
public sealed class RoleSubmitter(
    IPublishEndpoint publisher,
    ISendEndpointProvider send,
    IWorkflowStatusStore statusStore,
    WorkflowReader workflows,
    ILogger<RoleSubmitter> logger)
{
    /// <summary>Publishes in flight at once for a batch: enough to keep the broker's confirms pipelined, bounded so a huge batch cannot flood it.</summary>
    const int BatchPublishParallelism = 64;

    /// <summary>How long a push waits for the broker before it answers 503.</summary>
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public async Task<SubmissionOutcome> SubmitAsync(OnboardRoleRequested request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var force = request.Options?.ForceRerun == true;
        if (!force && await workflows.FindInFlightAsync(request.CompanyId, request.RoleName, cancellationToken) is { } inFlight)
        {
            return new SubmissionOutcome.AlreadyInFlight(inFlight);
        }

        // Stale detection: a finished result with the same inputs is reused; with other inputs it is superseded.
        OnboardingStatus? superseded = null;
        if (!force && await workflows.FindLatestFinishedAsync(request.CompanyId, request.RoleName, cancellationToken) is { } finished)
        {
            if (finished.Status == OnboardingStatuses.Ready && finished.InputHash == OnboardingInputHash.Compute(request))
            {
                return new SubmissionOutcome.AlreadyReady(finished);
            }

            superseded = finished;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            await publisher.PublishBoundedAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Could not publish OnboardRoleRequested for {WorkflowId}", request.WorkflowId);
            return new SubmissionOutcome.Unavailable();
        }

        await WritePlaceholderAsync(request);
        if (superseded is not null)
        {
            var saga = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
            await saga.SendBoundedAsync(new MarkOnboardingStale { WorkflowId = superseded.WorkflowId, SupersededBy = request.WorkflowId, RequestedBy = request.RequestedBy }, CancellationToken.None);
        }

        return new SubmissionOutcome.Queued(request.WorkflowId, superseded?.WorkflowId);
    }

    /// <summary>Queues the accepted roles of a batch; roles already in flight keep their workflow (one query for all).</summary>
    public async Task<BatchSubmission> SubmitBatchAsync(IReadOnlyList<OnboardRoleRequested> accepted, bool forceRerun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        var keys = accepted.ToDictionary(r => r, r => CompanyRoleId.For(r.CompanyId, r.RoleName));
        var inFlight = forceRerun ? [] : await workflows.InFlightByRoleKeyAsync(keys.Values.ToList(), cancellationToken);
        var toPublish = accepted.Where(r => !inFlight.ContainsKey(keys[r])).ToList();
        var notQueued = new ConcurrentBag<OnboardRoleRequested>();
        await Parallel.ForEachAsync(toPublish, new ParallelOptions { MaxDegreeOfParallelism = BatchPublishParallelism }, async (request, _) =>
        {
            try
            {
                await publisher.PublishBoundedAsync(request, CancellationToken.None);
                await WritePlaceholderAsync(request);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not publish {WorkflowId} of {BatchId}", request.WorkflowId, request.BatchId);
                notQueued.Add(request);
            }
        });

        var published = toPublish.Except(notQueued).Select(r => r.WorkflowId);
        var reused = accepted.Where(r => inFlight.ContainsKey(keys[r])).Select(r => inFlight[keys[r]]);
        return new BatchSubmission([.. published, .. reused], accepted.Count - toPublish.Count, [.. notQueued]);
    }

    /// <summary>Makes the workflow visible at once; the saga's first recorded status (revision 1) replaces it.</summary>
    async Task WritePlaceholderAsync(OnboardRoleRequested request)
    {
        try
        {
            await statusStore.TryWriteAsync(OnboardingRequestFactory.Placeholder(request), CancellationToken.None);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning("Status store unavailable ({Reason}); status will come from the saga store.", ex.Message);
        }
    }
}
