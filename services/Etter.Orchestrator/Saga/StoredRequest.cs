using System.Text.Json;

namespace Etter.Orchestrator.Saga;

/// <summary>The parts of the original request a later step or a retry needs again.</summary>
public sealed record StoredRequest(IReadOnlyList<RoleDocument> Documents, OnboardingOptions Options)
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);
}
