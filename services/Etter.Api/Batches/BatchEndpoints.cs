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
        RetryFailedRequest? body = null;
        if (http.Request.ContentLength is > 0)
        {
            var read = await JsonBody.ReadAsync<RetryFailedRequest>(http);
            if (read.Problem is not null)
            {
                return read.Problem;
            }

            body = read.Body;
        }

        var workflows = await reader.FindBatchAsync(batchId, cancellationToken);
        if (workflows.Count == 0)
        {
            return ApiErrors.NotFound($"Batch '{batchId}' not found.");
        }

        var wanted = body?.WorkflowIds is { Count: > 0 } ids ? ids.ToHashSet() : null;
        var failed = workflows.Where(w => w.Status == OnboardingStatuses.Failed && (wanted is null || wanted.Contains(w.WorkflowId))).ToList();
        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        var force = body?.Options?.ForceRerun ?? false;
        var actor = http.User.Identity?.Name ?? "api";
        await Task.WhenAll(failed.Select(w => endpoint.SendBoundedAsync(new RetryOnboarding { WorkflowId = w.WorkflowId, ForceRerun = force, RequestedBy = actor }, cancellationToken)));

        // Redrive keeps each workflow (and its documents and inputs); the ids are the ones being retried.
        return Results.Ok(new RetryFailedResponse(
            batchId,
            failed.Count,
            failed.Select(w => w.WorkflowId).ToList(),
            failed.Count == 0
                ? "No failed workflows to retry in this batch."
                : $"Retrying {failed.Count} failed workflow(s) from their failed step, with their original inputs and documents."));
    }
}
