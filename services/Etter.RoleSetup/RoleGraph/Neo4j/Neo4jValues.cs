using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>Reads plain-JSON values as both HTTP endpoints return them (temporal values arrive as ISO-8601 text).</summary>
static partial class Neo4jValues
{
    public static string? Text(JsonElement map, string name)
    {
        if (map.ValueKind != JsonValueKind.Object || !map.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        };
    }

    /// <summary>
    /// A datetime property. Neo4j prints <c>2026-03-01T10:15Z</c> (no zero seconds), up to nine fractional digits and,
    /// for named zones, a <c>[Region/City]</c> suffix; the old system may also have stored plain ISO text.
    /// </summary>
    public static DateTimeOffset? Temporal(JsonElement map, string name) => ParseTemporal(Text(map, name));

    public static DateTimeOffset? ParseTemporal(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var withoutZoneName = ZoneName().Replace(text.Trim(), "");
        return DateTimeOffset.TryParse(withoutZoneName, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
    }

    [GeneratedRegex(@"\[[^\]]*\]$")]
    private static partial Regex ZoneName();
}
