namespace Etter.Api.Health;

/// <param name="Status">healthy, degraded or unhealthy.</param>
/// <param name="Detail">What was checked, or why it failed.</param>
public sealed record ComponentHealth(string Status, string Detail, long? LatencyMs = null);
