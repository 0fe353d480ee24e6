namespace Etter.Api.Health;

/// <summary><c>GET /api/v1/pipeline/health</c>: the old API's shape, now with real component checks.</summary>
public sealed record PipelineHealthResponse(
    string Status,
    string Version,
    DateTimeOffset Timestamp,
    IReadOnlyDictionary<string, ComponentHealth> Components);
