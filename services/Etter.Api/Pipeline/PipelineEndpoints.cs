using System.Text.Json;
using Etter.Api.Batches;
using Etter.Api.Catalog;
using Etter.Api.Errors;
using Etter.Api.Security;
using Etter.Api.Workflows;
using Etter.BuildingBlocks.Messaging;
using Etter.BuildingBlocks.Status;
using Etter.BuildingBlocks.Validation;
using Etter.Contracts;
using Etter.Orchestrator.Persistence;
using MassTransit;

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

    static async Task<IResult> PushAsync(
        HttpContext http,
        bool? use_mock,
        IPublishEndpoint publisher,
        IWorkflowStatusStore statusStore,
        SagaStatusReader saga,
        ISendEndpointProvider send,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var (body, problem) = await ReadBodyAsync<PushRequest>(http);
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

        var request = ToRequest(body, use_mock == true, time.GetUtcNow(), http.User.Identity?.Name ?? "api");
        if (OnboardingRequestValidator.Validate(request) is { } invalid)
        {
            return ApiErrors.Validation(invalid.Message);
        }

        // Idempotent submit: a role already on its way is not started twice (unless asked to).
        if (request.Options?.ForceRerun != true && await saga.FindInFlightAsync(request.CompanyId, request.RoleName, http.RequestAborted) is { } inFlight)
        {
            return Results.Ok(new PushResponse(
                inFlight.WorkflowId,
                inFlight.RoleId,
                inFlight.Status,
                FullRunEstimateSeconds,
                PositionInQueue: null,
                Message: $"Role '{request.RoleName}' for '{request.CompanyId}' already has a workflow in flight ({inFlight.Status}); returning it. Set options.force_rerun to start another."));
        }

        // Stale detection: a finished result with the same inputs is reused; with other inputs it is superseded.
        OnboardingStatus? superseded = null;
        if (request.Options?.ForceRerun != true && await saga.FindLatestFinishedAsync(request.CompanyId, request.RoleName, http.RequestAborted) is { } finished)
        {
            if (finished.Status == OnboardingStatuses.Ready && finished.InputHash == OnboardingInputHash.Compute(request))
            {
                return Results.Ok(new PushResponse(
                    finished.WorkflowId,
                    finished.RoleId,
                    finished.Status,
                    0,
                    PositionInQueue: null,
                    Message: $"Role '{request.RoleName}' for '{request.CompanyId}' is already onboarded with identical inputs; returning that result. Set options.force_rerun to run it again."));
            }

            superseded = finished;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await publisher.PublishBoundedAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            loggers.CreateLogger(nameof(PipelineEndpoints)).LogError(ex, "Could not publish OnboardRoleRequested for {WorkflowId}", request.WorkflowId);
            return ApiErrors.Unavailable("The message bus is unreachable; the role was not queued. Try again shortly.");
        }

        await WritePlaceholderStatusAsync(statusStore, request, loggers);
        if (superseded is not null)
        {
            var endpoint = await send.GetSendEndpoint(CommandQueues.OnboardingSaga);
            await endpoint.SendBoundedAsync(new MarkOnboardingStale { WorkflowId = superseded.WorkflowId, SupersededBy = request.WorkflowId, RequestedBy = request.RequestedBy }, CancellationToken.None);
        }

        return Results.Ok(new PushResponse(
            request.WorkflowId,
            RoleId: null,
            Status: OnboardingStatuses.Queued,
            EstimatedDurationSeconds: FullRunEstimateSeconds,
            PositionInQueue: null,
            Message: superseded is null
                ? $"Role '{request.RoleName}' for '{request.CompanyId}' queued for onboarding."
                : $"Role '{request.RoleName}' for '{request.CompanyId}' queued for onboarding; its inputs changed, so workflow {superseded.WorkflowId} is now stale."));
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

    internal static OnboardRoleRequested ToRequest(PushRequest body, bool useMock, DateTimeOffset now, string requestedBy) => new()
    {
        WorkflowId = NewId.NextGuid(),
        CompanyId = body.CompanyId!.Trim(),
        RoleName = body.RoleName!.Trim(),
        Documents = body.Documents?.Select(d => new RoleDocument
        {
            Type = DocumentTypes.Normalize(d.Type),
            Uri = d.Uri,
            Content = d.Content,
            Name = d.Name,
            Metadata = d.Metadata,
        }).ToList(),
        DraupRoleId = body.DraupRoleId,
        DraupRoleName = body.DraupRoleName,
        Options = new OnboardingOptions
        {
            UseMockAssessment = useMock,
            ForceRerun = body.Options?.ForceRerun ?? false,
            NotifyOnComplete = body.Options?.NotifyOnComplete ?? true,
            SkipEnhancementWorkflows = body.Options?.SkipEnhancementWorkflows ?? false,
            Draft = body.Options?.Draft ?? false,
        },
        RequestedBy = requestedBy,
        RequestedAt = now,
    };

    /// <summary>Makes the workflow visible at once; the saga's first projected status (version 1) replaces it.</summary>
    internal static async Task WritePlaceholderStatusAsync(IWorkflowStatusStore store, OnboardRoleRequested request, ILoggerFactory loggers)
    {
        try
        {
            await store.TryWriteAsync(PipelineStatusMapper.Queued(request), CancellationToken.None);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            loggers.CreateLogger(nameof(PipelineEndpoints)).LogWarning("Status store unavailable ({Reason}); status will come from the saga store.", ex.Message);
        }
    }

    /// <summary>Reads a JSON body; a missing or malformed body is a 422, as the old API answered.</summary>
    internal static async Task<(T? Body, IResult? Problem)> ReadBodyAsync<T>(HttpContext http)
        where T : class
    {
        // Kestrel enforces the endpoint's limit while reading; checking the declared length first answers
        // at once, and also under hosts that do not enforce it (the test server).
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (limit is { } max && http.Request.ContentLength > max)
        {
            return (null, ApiErrors.Envelope(StatusCodes.Status413PayloadTooLarge, Etter.Contracts.ErrorCodes.ValidationError,
                $"The request body is larger than this endpoint accepts ({max} bytes).", recoverable: false));
        }

        try
        {
            var body = await http.Request.ReadFromJsonAsync<T>(PipelineStatusMapper.JsonOptions, http.RequestAborted);
            return body is null
                ? (null, ApiErrors.Unprocessable([new FieldProblem(["body"], "field required", "value_error.missing")]))
                : (body, null);
        }
        catch (BadHttpRequestException ex)
        {
            // Over the size limit (413) or a broken request body: a client error, answered in the envelope.
            return (null, ApiErrors.Envelope(ex.StatusCode, Etter.Contracts.ErrorCodes.ValidationError,
                ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than this endpoint accepts." : $"Unreadable request body: {ex.Message}",
                recoverable: false));
        }
        catch (JsonException ex)
        {
            return (null, ApiErrors.Unprocessable([new FieldProblem(["body", .. JsonPath(ex)], $"invalid JSON: {ex.Message}", "value_error.jsondecode")]));
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("content type", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("Content-Type", StringComparison.Ordinal))
        {
            return (null, ApiErrors.Unprocessable([new FieldProblem(["body"], "expected a JSON body with Content-Type: application/json", "value_error.content_type")]));
        }
    }

    static string[] JsonPath(JsonException ex) =>
        ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.').Split('.', StringSplitOptions.RemoveEmptyEntries) : [];
}
