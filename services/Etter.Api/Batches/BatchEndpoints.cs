using System.ComponentModel;
using Etter.Api.Errors;
using Etter.Api.Http;
using Etter.Api.Pipeline;
using Etter.Api.Submissions;
using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Onboarding;
using Etter.ReadModel;
using MassTransit;

namespace Etter.Api.Batches;

/// <summary><c>POST /push-batch</c>, <c>GET /batch-status/{id}</c> and <c>POST /retry-failed/{id}</c>.</summary>
public static class BatchEndpoints
{
    public const int MaxRolesPerBatch = 10_000;

    public static RouteGroupBuilder MapBatches(this RouteGroupBuilder pipeline, long maxBatchBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.MapPost("/push-batch", PushBatchAsync).WithName("PushBatch")
            .WithSummary("Push many roles at once; each becomes its own workflow.")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(maxBatchBodyBytes));
        pipeline.MapGet("/batch-status/{batchId}", BatchStatusAsync).WithName("GetBatchStatus").WithSummary("Progress of a batch, counted from the saga store.");
        pipeline.MapPost("/retry-failed/{batchId}", RetryFailedAsync).WithName("RetryFailed").WithSummary("Redrive the failed workflows of a batch from their failed step, keeping their inputs.");
        return pipeline;
    }

    static async Task<IResult> PushBatchAsync(HttpContext http, [Description(QueryValues.FlagDescription)] string? use_mock, RoleSubmitter submitter, TimeProvider time)
    {
        if (!QueryValues.TryFlag(use_mock, nameof(use_mock), out var useMock, out var refused))
        {
            return refused;
        }

        var (body, problem) = await JsonBody.ReadAsync<PushBatchRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var missing = new List<FieldProblem>();
        if (body!.CompanyId is null)
        {
            missing.Add(FieldProblem.Missing("company_id"));
        }

        if (body.Roles is null)
        {
            missing.Add(FieldProblem.Missing("roles"));
        }

        if (missing.Count > 0)
        {
            return ApiErrors.Unprocessable(missing);
        }

        // One answer for the whole batch rather than the same rejection for each of its roles.
        if (body.CreatedBy is { Length: > OnboardingRequestValidator.MaxRequestedByLength })
        {
            return ApiErrors.Validation($"created_by must be at most {OnboardingRequestValidator.MaxRequestedByLength} characters.");
        }

        if (body.Roles!.Count == 0 || body.Roles.Count > MaxRolesPerBatch)
        {
            return ApiErrors.Validation($"A batch needs between 1 and {MaxRolesPerBatch} roles; this one has {body.Roles.Count}.");
        }

        var batchId = $"batch-{Guid.NewGuid():N}"[..18];
        var now = time.GetUtcNow();
        var requestedBy = body.CreatedBy ?? http.User.Identity?.Name ?? "api";
        var rejected = new List<RejectedRole>();
        var accepted = new List<OnboardRoleRequested>();
        var indexOf = new Dictionary<OnboardRoleRequested, int>(ReferenceEqualityComparer.Instance);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < body.Roles.Count; i++)
        {
            var role = body.Roles[i];
            if (role is null || string.IsNullOrWhiteSpace(role.RoleName))
            {
                rejected.Add(new RejectedRole(role?.RoleName, i, "role_name is required."));
                continue;
            }

            var request = OnboardingRequestFactory.FromPush(
                new PushRequest
                {
                    CompanyId = role.CompanyId ?? body.CompanyId,
                    RoleName = role.RoleName,
                    Documents = role.Documents,
                    DraupRoleId = role.DraupRoleId,
                    DraupRoleName = role.DraupRoleName,
                    Options = body.Options,
                },
                useMock,
                now,
                requestedBy) with
            { BatchId = batchId };
            if (OnboardingRequestValidator.Validate(request) is { } invalid)
            {
                rejected.Add(new RejectedRole(role.RoleName, i, invalid.Message));
                continue;
            }

            var key = CompanyRoleId.For(request.CompanyId, request.RoleName);
            if (!seen.TryAdd(key, i))
            {
                rejected.Add(new RejectedRole(role.RoleName, i, $"Duplicate of the role at index {seen[key]} in this batch."));
                continue;
            }

            accepted.Add(request);
            indexOf[request] = i;
        }

        var submitted = await submitter.SubmitBatchAsync(accepted, body.Options?.ForceRerun == true, http.RequestAborted);
        if (submitted.NothingQueued)
        {
            return ApiErrors.Unavailable("The message bus is unreachable; no role of the batch was queued. Try again shortly.");
        }

        foreach (var request in submitted.NotQueued)
        {
            rejected.Add(new RejectedRole(request.RoleName, indexOf[request], "Could not be queued (message bus unreachable); push it again."));
        }

        var uncertain = submitted.Uncertain
            .Select(r => new UncertainRole(r.RoleName, indexOf[r], r.WorkflowId, "The message bus failed while taking this role: it may have been queued under workflow_id, or not. Pushing it again is safe."))
            .OrderBy(r => r.Index)
            .ToList();
        var workflowIds = submitted.WorkflowIds;
        var reusedCount = submitted.Reused;
        return Results.Ok(new PushBatchResponse(
            batchId,
            body.Roles.Count,
            workflowIds,
            OnboardingStatuses.Queued,
            PipelineEndpoints.FullRunEstimateSeconds,
            $"{workflowIds.Count} of {body.Roles.Count} roles queued as batch {batchId}"
                + (reusedCount > 0 ? $" ({reusedCount} already in flight, returned as is)" : "")
                + (uncertain.Count > 0 ? $"; {uncertain.Count} uncertain (the message bus failed mid-write), see 'uncertain'" : "")
                + (rejected.Count > 0 ? $"; {rejected.Count} rejected, see 'rejected'." : "."),
            rejected.OrderBy(r => r.Index).ToList(),
            uncertain));
    }

    static async Task<IResult> BatchStatusAsync(string batchId, WorkflowReader reader, CancellationToken cancellationToken)
    {
        var workflows = await reader.FindBatchAsync(batchId, cancellationToken);
        if (workflows.Count == 0)
        {
            return ApiErrors.NotFound($"Batch '{batchId}' not found. (A batch accepted a moment ago appears as soon as its first workflow is recorded.)");
        }

        var queued = workflows.Count(w => w.Status is OnboardingStatuses.Queued or OnboardingStatuses.Draft);
        var inProgress = workflows.Count(w => w.Status == OnboardingStatuses.Processing);
        var completed = workflows.Count(w => w.Status is OnboardingStatuses.Ready or OnboardingStatuses.Degraded);
        var failed = workflows.Count - queued - inProgress - completed;
        var finished = completed + failed;
        var state = queued == workflows.Count ? "pending"
            : finished < workflows.Count ? "in_progress"
            : failed == 0 ? "completed"
            : "partial";
        return Results.Ok(new BatchStatusResponse(
            batchId,
            workflows[0].CompanyId,
            workflows.Count,
            queued,
            inProgress,
            completed,
            failed,
            state,
            Math.Round(100.0 * finished / workflows.Count, 1),
            finished == 0 ? 0 : Math.Round(100.0 * completed / finished, 1),
            workflows.Min(w => w.QueuedAt),
            workflows.Select(w => new BatchRoleStatus(w.RoleName, w.CompanyId, w.WorkflowId, w.Status, w.Error?.Message, DashboardLinks.Workflow(w.WorkflowId))).ToList()));
    }

    static async Task<IResult> RetryFailedAsync(HttpContext http, string batchId, WorkflowReader reader, ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadOptionalAsync<RetryFailedRequest>(http);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var workflows = await reader.FindBatchAsync(batchId, cancellationToken);
        if (workflows.Count == 0)
        {
            return ApiErrors.NotFound($"Batch '{batchId}' not found.");
        }

        var skipped = new List<SkippedRetry>();
        var candidates = Candidates(workflows, body.Body?.WorkflowIds, skipped);

        // The saga drops a redrive while another workflow of the role is in flight; name those instead of counting them.
        var inFlight = await reader.InFlightByRoleKeyAsync(candidates.Select(RoleKey).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        var toRetry = new List<OnboardingStatus>();
        foreach (var workflow in candidates)
        {
            if (inFlight.TryGetValue(RoleKey(workflow), out var other))
            {
                skipped.Add(new SkippedRetry(workflow.WorkflowId, $"Workflow {other} of the same role is in flight; retry once it has finished, or follow {other}."));
            }
            else
            {
                toRetry.Add(workflow);
            }
        }

        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        var force = body.Body?.Options?.ForceRerun ?? false;
        var actor = http.User.Identity?.Name ?? "api";
        await Task.WhenAll(toRetry.Select(w => endpoint.SendBoundedAsync(new RetryOnboarding { WorkflowId = w.WorkflowId, ForceRerun = force, RequestedBy = actor }, cancellationToken)));

        // Redrive keeps each workflow (and its documents and inputs); the ids are the ones being retried.
        var message = toRetry.Count == 0
            ? "No failed workflows to retry in this batch."
            : $"Retrying {toRetry.Count} failed workflow(s) from their failed step, with their original inputs and documents.";
        return Results.Ok(new RetryFailedResponse(
            batchId,
            toRetry.Count,
            toRetry.Select(w => w.WorkflowId).ToList(),
            skipped.Count == 0 ? message : $"{message} {skipped.Count} skipped, see 'skipped'.",
            skipped));
    }

    /// <summary>The batch's failed workflows, or those of <paramref name="wanted"/>; a listed id that cannot be retried is skipped with why.</summary>
    static List<OnboardingStatus> Candidates(List<OnboardingStatus> batch, IReadOnlyList<Guid>? wanted, List<SkippedRetry> skipped)
    {
        if (wanted is not { Count: > 0 })
        {
            return batch.Where(w => w.Status == OnboardingStatuses.Failed).ToList();
        }

        var byId = batch.ToDictionary(w => w.WorkflowId);
        var candidates = new List<OnboardingStatus>();
        foreach (var id in wanted.Distinct())
        {
            if (!byId.TryGetValue(id, out var workflow))
            {
                skipped.Add(new SkippedRetry(id, "Not a workflow of this batch."));
            }
            else if (workflow.Status != OnboardingStatuses.Failed)
            {
                skipped.Add(new SkippedRetry(id, $"Only failed workflows are retried; this one is {workflow.Status}."));
            }
            else
            {
                candidates.Add(workflow);
            }
        }

        return candidates;
    }

    static string RoleKey(OnboardingStatus workflow) => CompanyRoleId.For(workflow.CompanyId, workflow.RoleName);
}
