using System.Text.Json;
using Etter.Contracts;

namespace Etter.StatusStore;

/// <summary>
/// How a status is stored as text: <see cref="OnboardingStatus"/> in camelCase JSON. Written by the orchestrator,
/// read by the API; the same document the saga answers on the bus.
/// </summary>
public static class StatusDocument
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public static string Serialize(OnboardingStatus status) => JsonSerializer.Serialize(status, JsonOptions);

    public static OnboardingStatus? Deserialize(string json) => JsonSerializer.Deserialize<OnboardingStatus>(json, JsonOptions);
}
