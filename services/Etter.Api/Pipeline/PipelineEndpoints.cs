using System.ComponentModel;
using Etter.Api.Batches;
using Etter.Api.Catalog;
using Etter.Api.Errors;
using Etter.Api.Http;
using Etter.Api.Security;
using Etter.Api.Status;
using Etter.Api.Submissions;
using Etter.Api.Workflows;
using Etter.Contracts;
using Etter.Onboarding;

namespace Etter.Api.Pipeline;

/// <summary>The pipeline API under <c>/api/v1/pipeline</c>, compatible with the old service's clients.</summary>
public static class PipelineEndpoints
{
    public const string Prefix = "/api/v1/pipeline";
    public const int FullRunEstimateSeconds = 35 * 60;

    public static IEndpointRouteBuilder MapPipelineEndpoints(this IEndpointRouteBuilder app, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pipeline = app.MapGroup(Prefix).WithTags("pipeline").AddEndpointFilter<ApiKeyFilter>();
        pipeline.MapPost("/push", PushAsync).WithName("PushRole").WithSummary("Push one company role into Etter; starts its onboarding workflow.")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(options.MaxBodyBytes));
        pipeline.MapGet("/status/{workflowId}", StatusAsync).WithName("GetStatus").WithSummary("The status of one workflow.");
        pipeline.MapWorkflowCommands();
        pipeline.MapCatalog();
        pipeline.MapBatches(options.MaxBatchBodyBytes);
        pipeline.MapWorkflowQueries();
        return app;
    }

    static async Task<IResult> PushAsync(HttpContext http, [Description(QueryValues.FlagDescription)] string? use_mock, RoleSubmitter submitter, TimeProvider time)
    {
        if (!QueryValues.TryFlag(use_mock, nameof(use_mock), out var useMock, out var refused))
        {
            return refused;
        }

        var (body, problem) = await JsonBody.ReadAsync<PushRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var missing = new List<FieldProblem>();
        if (body!.CompanyId is null)
        {
            missing.Add(FieldProblem.Missing("company_id"));
        }

        if (body.RoleName is null)
        {
            missing.Add(FieldProblem.Missing("role_name"));
        }

        if (missing.Count > 0)
        {
            return ApiErrors.Unprocessable(missing);
        }

        var request = OnboardingRequestFactory.FromPush(body, useMock, time.GetUtcNow(), http.User.Identity?.Name ?? "api");
        if (OnboardingRequestValidator.Validate(request) is { } invalid)
        {
            return ApiErrors.Validation(invalid.Message);
        }

        var role = $"Role '{request.RoleName}' for '{request.CompanyId}'";
        return await submitter.SubmitAsync(request, http.RequestAborted) switch
        {
            SubmissionOutcome.AlreadyInFlight { Answer: var a } => Results.Ok(new PushResponse(
                a.WorkflowId, a.RoleId, a.Status, FullRunEstimateSeconds, PositionInQueue: null,
                $"{role} already has a workflow in flight ({a.Status}); returning it. Set options.force_rerun to start another.")),
            SubmissionOutcome.AlreadyReady { Answer: var a } => Results.Ok(new PushResponse(
                a.WorkflowId, a.RoleId, a.Status, 0, PositionInQueue: null,
                $"{role} is already onboarded with identical inputs; returning that result. Set options.force_rerun to run it again.")),
            // The old API answered every accepted push with "queued"; clients key on it, whatever step is already running.
            SubmissionOutcome.Queued { Answer: var a } => Results.Ok(new PushResponse(
                a.WorkflowId, RoleId: null, OnboardingStatuses.Queued, FullRunEstimateSeconds, PositionInQueue: null,
                a.Supersedes is { } old
                    ? $"{role} queued for onboarding; its inputs changed, so workflow {old} is now stale."
                    : $"{role} queued for onboarding.")),
            SubmissionOutcome.Unconfirmed { WorkflowId: var id } => Results.Ok(new PushResponse(
                id, RoleId: null, OnboardingStatuses.Queued, FullRunEstimateSeconds, PositionInQueue: null,
                $"{role} accepted; the orchestrator has not confirmed it yet (it may be restarting). Follow it by its workflow id; should the role already be in flight, this id will point to that workflow.")),
            SubmissionOutcome.Uncertain { WorkflowId: var id } => ApiErrors.Unavailable(
                $"The message bus failed while taking {role}: it may have been queued as workflow {id}, or not. Pushing it again is safe; a role already in flight is answered with its workflow."),
            _ => ApiErrors.Unavailable("The message bus is unreachable; the role was not queued. Try again shortly."),
        };
    }

    static async Task<IResult> StatusAsync(string workflowId, WorkflowStatusQuery query, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(workflowId, out var id))
        {
            return ApiErrors.NotFound($"Workflow '{workflowId}' not found.");
        }

        var status = await query.FindAsync(id, cancellationToken);
        return status is null ? ApiErrors.NotFound($"Workflow '{workflowId}' not found.") : Results.Json(status, PipelineStatusMapper.JsonOptions);
    }
}
