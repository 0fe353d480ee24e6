using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Etter.Api.Errors;
using Etter.Api.Http;
using Etter.Api.Pipeline;
using Etter.Api.Status;
using Etter.Contracts;
using Etter.ReadModel;

namespace Etter.Api.Workflows;

/// <summary><c>GET /workflows</c> (list and search), <c>GET /history/{id}</c> and <c>GET /status/{id}/events</c> (SSE).</summary>
public static class WorkflowQueryEndpoints
{
    const int MaxLimit = 500;
    const int DefaultLimit = 50;

    // An attribute argument cannot format the two numbers above; FullApiTests checks this text against what the endpoint does.
    const string LimitDescription = "1 to 500, default 50";
    static readonly string[] Statuses =
    [
        OnboardingStatuses.Draft, OnboardingStatuses.Queued, OnboardingStatuses.Processing, OnboardingStatuses.Ready,
        OnboardingStatuses.Failed, OnboardingStatuses.ValidationError, OnboardingStatuses.Degraded, OnboardingStatuses.Cancelled,
        OnboardingStatuses.Stale, OnboardingStatuses.Duplicate,
    ];

    public static RouteGroupBuilder MapWorkflowQueries(this RouteGroupBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.MapGet("/workflows", ListAsync).WithName("ListWorkflows").WithSummary("List and search workflows, newest first, with keyset pagination.");
        pipeline.MapGet("/workflows/counts", async (WorkflowReader workflows, CancellationToken ct) => Results.Ok(await workflows.CountByStatusAsync(ct)))
            .WithName("CountWorkflows").WithSummary("How many workflows are in each status.");
        pipeline.MapGet("/history/{workflowId}", HistoryAsync).WithName("GetHistory").WithSummary("The audit trail of every transition of a workflow.");
        pipeline.MapGet("/status/{workflowId}/events", EventsAsync).WithName("StreamStatus").WithSummary("Server-Sent Events: each status change, live, until the workflow finishes.");
        return pipeline;
    }

    static async Task<IResult> ListAsync(
        WorkflowReader workflows,
        string? status,
        string? company_id,
        string? failed_step,
        string? q,
        string? since,
        string? until,
        [Description(LimitDescription)] string? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        if (!QueryValues.TryInteger(limit, nameof(limit), out var pageLimit, out var refused))
        {
            return refused;
        }

        if (status is not null && !Statuses.Contains(status))
        {
            return ApiErrors.Validation($"status must be one of: {string.Join(", ", Statuses)}.");
        }

        if (failed_step is not null && !OnboardingSteps.InOrder.Contains(failed_step))
        {
            return ApiErrors.Validation($"failed_step must be one of: {string.Join(", ", OnboardingSteps.InOrder)}.");
        }

        if (!TryParseTime(since, out var from) || !TryParseTime(until, out var to))
        {
            return ApiErrors.Validation("since and until must be ISO 8601 timestamps, e.g. 2026-11-25T12:00:00Z.");
        }

        if (pageLimit is < 1 or > MaxLimit)
        {
            return ApiErrors.Validation($"limit must be between 1 and {MaxLimit}.");
        }

        WorkflowCursor? after = null;
        if (cursor is not null && !TryDecodeCursor(cursor, out after))
        {
            return ApiErrors.Validation("cursor is not one this API issued; use next_cursor from the previous page.");
        }

        var pageSize = pageLimit ?? DefaultLimit;
        var page = await workflows.ListAsync(
            new WorkflowQuery(status is null ? null : WorkflowStates.FromWire(status), company_id, failed_step, string.IsNullOrWhiteSpace(q) ? null : q.Trim(), from, to, after, pageSize + 1),
            cancellationToken);
        var more = page.Count > pageSize;
        var items = page.Take(pageSize).Select(WorkflowSummary.From).ToList();
        return Results.Ok(new WorkflowListResponse(items, items.Count, more ? EncodeCursor(page[pageSize - 1]) : null));
    }

    static async Task<IResult> HistoryAsync(string workflowId, WorkflowReader workflows, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(workflowId, out var id) || await workflows.HistoryAsync(id, cancellationToken) is not { } history)
        {
            return ApiErrors.NotFound($"Workflow '{workflowId}' not found.");
        }

        return Results.Ok(new HistoryResponse(id, history.Select(h => new HistoryItem(
            h.At, h.Trigger, h.FromStatus, h.ToStatus, h.Step, h.StepStatus, h.Attempt, h.ErrorCode, h.ErrorMessage, h.Actor)).ToList()));
    }

    /// <summary>
    /// Streams <c>event: status</c> frames whenever the status version changes, and ends after a final
    /// status. Polls the status lookup (fast store first), so it works in every mode and survives Redis outages.
    /// </summary>
    static async Task EventsAsync(HttpContext http, string workflowId, WorkflowStatusQuery query, TimeProvider time)
    {
        var cancellationToken = http.RequestAborted;
        if (!Guid.TryParse(workflowId, out var id) || await query.FindAsync(id, cancellationToken) is null)
        {
            await ApiErrors.NotFound($"Workflow '{workflowId}' not found.").ExecuteAsync(http);
            return;
        }

        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        long lastVersion = -1;
        var lastWrite = time.GetUtcNow();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var status = await query.FindAsync(id, cancellationToken);
                if (status is not null && status.Version != lastVersion)
                {
                    lastVersion = status.Version;
                    var json = JsonSerializer.Serialize(status, PipelineStatusMapper.JsonOptions);
                    await http.Response.WriteAsync($"id: {status.Version}\nevent: status\ndata: {json}\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                    lastWrite = time.GetUtcNow();
                    if (OnboardingStatuses.IsTerminal(status.Status))
                    {
                        return;
                    }
                }
                else if (time.GetUtcNow() - lastWrite > TimeSpan.FromSeconds(15))
                {
                    // A comment frame keeps proxies from closing an idle stream.
                    await http.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                    lastWrite = time.GetUtcNow();
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    static bool TryParseTime(string? value, out DateTimeOffset? parsed)
    {
        parsed = null;
        if (value is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            parsed = time.ToUniversalTime();
            return true;
        }

        return false;
    }

    static string EncodeCursor(OnboardingStatus last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{last.QueuedAt.UtcTicks}:{last.WorkflowId:N}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static bool TryDecodeCursor(string cursor, out WorkflowCursor? decoded)
    {
        decoded = null;
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && Guid.TryParseExact(parts[1], "N", out var id))
            {
                decoded = new WorkflowCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        catch (ArgumentOutOfRangeException)
        {
        }

        return false;
    }
}

public sealed record WorkflowListResponse(IReadOnlyList<WorkflowSummary> Workflows, int Count, string? NextCursor);

public sealed record WorkflowSummary(
    Guid WorkflowId,
    string CompanyId,
    string RoleName,
    string Status,
    string? CurrentStep,
    string? FailedStep,
    string? Error,
    bool? Recoverable,
    double? FinalScore,
    string? BatchId,
    DateTimeOffset QueuedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset UpdatedAt)
{
    public static WorkflowSummary From(OnboardingStatus s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.WorkflowId, s.CompanyId, s.RoleName, s.Status, s.CurrentStep, s.FailedStep, s.Error?.Message, s.Error?.Recoverable,
            s.FinalScore, s.BatchId, s.QueuedAt, s.CompletedAt, s.UpdatedAt);
    }
}

public sealed record HistoryResponse(Guid WorkflowId, IReadOnlyList<HistoryItem> Entries);

public sealed record HistoryItem(
    DateTimeOffset At,
    string Trigger,
    string? FromStatus,
    string ToStatus,
    string? Step,
    string? StepStatus,
    int? Attempt,
    string? ErrorCode,
    string? ErrorMessage,
    string Actor);
