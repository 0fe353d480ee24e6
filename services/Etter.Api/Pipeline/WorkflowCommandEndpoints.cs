using Etter.Api.Errors;
using Etter.Api.Http;
using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.Onboarding;
using Etter.ReadModel;
using MassTransit;

namespace Etter.Api.Pipeline;

/// <summary><c>POST /retry/{id}</c> (redrive from the failed step), <c>POST /submit/{id}</c> (start a draft) and <c>POST /cancel/{id}</c>.</summary>
public static class WorkflowCommandEndpoints
{
    public static RouteGroupBuilder MapWorkflowCommands(this RouteGroupBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.MapPost("/retry/{workflowId}", RetryAsync).WithName("RetryWorkflow").WithSummary("Redrive a failed workflow from its failed step (or from the start with force_rerun).");
        pipeline.MapPost("/submit/{workflowId}", SubmitAsync).WithName("SubmitDraft").WithSummary("Start a draft workflow (pushed with options.draft): it moves to queued.");
        pipeline.MapPost("/cancel/{workflowId}", CancelAsync).WithName("CancelWorkflow").WithSummary("Cancel a draft, queued or processing workflow.");
        return pipeline;
    }

    static async Task<IResult> RetryAsync(HttpContext http, string workflowId, WorkflowReader workflows, ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadOptionalAsync<RetryRequest>(http);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (!Guid.TryParse(workflowId, out var id) || await workflows.FindAsync(id, cancellationToken) is not { } status)
        {
            return ApiErrors.NotFound($"Workflow '{workflowId}' not found.");
        }

        if (status.Status != OnboardingStatuses.Failed)
        {
            return ApiErrors.Validation($"Only failed workflows can be retried; workflow {id} is {status.Status}.");
        }

        // The saga drops a redrive while another workflow of the role is in flight; say so instead of accepting it.
        if (await workflows.FindInFlightAsync(status.CompanyId, status.RoleName, cancellationToken) is { } other && other.WorkflowId != id)
        {
            return ApiErrors.Validation($"Workflow {other.WorkflowId} of the same role is {other.Status}; retry {id} once it has finished, or follow {other.WorkflowId}.");
        }

        var force = body.Body?.ForceRerun ?? false;
        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await endpoint.SendBoundedAsync(new RetryOnboarding { WorkflowId = id, ForceRerun = force, RequestedBy = Actor(http) }, cancellationToken);
        var from = force || status.FailedStep != OnboardingSteps.AiAssessment ? OnboardingSteps.RoleSetup : OnboardingSteps.AiAssessment;
        return Results.Accepted($"{PipelineEndpoints.Prefix}/status/{id}", new WorkflowCommandResponse(
            id, OnboardingStatuses.Queued, from,
            from == OnboardingSteps.AiAssessment
                ? "Retrying ai_assessment; role_setup is complete and will not run again."
                : "Retrying from role_setup."));
    }

    static async Task<IResult> SubmitAsync(HttpContext http, string workflowId, WorkflowReader workflows, ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(workflowId, out var id) || await workflows.FindAsync(id, cancellationToken) is not { } status)
        {
            return ApiErrors.NotFound($"Workflow '{workflowId}' not found.");
        }

        if (status.Status != OnboardingStatuses.Draft)
        {
            return ApiErrors.Validation($"Only a draft can be submitted; workflow {id} is {status.Status}.");
        }

        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await endpoint.SendBoundedAsync(new SubmitOnboarding { WorkflowId = id, RequestedBy = Actor(http) }, cancellationToken);
        return Results.Accepted($"{PipelineEndpoints.Prefix}/status/{id}", new WorkflowCommandResponse(
            id, OnboardingStatuses.Queued, null, "Submitted; the workflow starts as soon as its company has a free slot."));
    }

    static async Task<IResult> CancelAsync(HttpContext http, string workflowId, WorkflowReader workflows, ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadOptionalAsync<CancelRequest>(http);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (!Guid.TryParse(workflowId, out var id) || await workflows.FindAsync(id, cancellationToken) is not { } status)
        {
            return ApiErrors.NotFound($"Workflow '{workflowId}' not found.");
        }

        if (OnboardingStatuses.IsTerminal(status.Status))
        {
            return ApiErrors.Validation($"Workflow {id} has already finished ({status.Status}); there is nothing to cancel.");
        }

        if (body.Body?.Reason is { Length: > OnboardingRequestValidator.MaxCancelReasonLength })
        {
            return ApiErrors.Validation($"reason must be at most {OnboardingRequestValidator.MaxCancelReasonLength} characters.");
        }

        var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
        await endpoint.SendBoundedAsync(new CancelOnboarding { WorkflowId = id, Reason = body.Body?.Reason, RequestedBy = Actor(http) }, cancellationToken);
        return Results.Accepted($"{PipelineEndpoints.Prefix}/status/{id}", new WorkflowCommandResponse(
            id, OnboardingStatuses.Cancelled, null, "Cancellation requested; results of the running step will be ignored."));
    }

    static string Actor(HttpContext http) => http.User.Identity?.Name ?? "api";
}

public sealed record RetryRequest(bool ForceRerun = false);

public sealed record CancelRequest(string? Reason = null);

public sealed record WorkflowCommandResponse(Guid WorkflowId, string Status, string? RetryFrom, string Message);
