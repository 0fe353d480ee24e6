using Etter.Api.Pipeline;
using Etter.Api.Status;

namespace Etter.Api.Health;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>/api/v1/pipeline/health</c> and <c>/health</c> (for probes) share one check. Unlike the old
    /// service, unhealthy answers 503.
    /// </summary>
    public static IEndpointRouteBuilder MapPipelineHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet($"{PipelineEndpoints.Prefix}/health", CheckAsync).WithTags("pipeline").WithName("GetHealth");
        app.MapGet("/health", CheckAsync).ExcludeFromDescription();
        return app;
    }

    static async Task<IResult> CheckAsync(PipelineHealthService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckAsync(cancellationToken);
        return Results.Json(
            report,
            PipelineStatusMapper.JsonOptions,
            statusCode: report.Status == PipelineHealthService.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }
}
