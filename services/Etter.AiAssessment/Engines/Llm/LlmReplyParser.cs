using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Etter.AiAssessment.Engines.Scoring;

namespace Etter.AiAssessment.Engines.Llm;

/// <summary>The outcome of checking a reply: classifications in input order, or what is wrong with it.</summary>
internal sealed record LlmAssessmentReply(IReadOnlyList<ActivityClassification> Classifications, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Checks an assessment reply against the schema in code, since not every server enforces it: exactly one
/// entry per input activity (matched by text, ignoring case, spacing, numbering and trailing punctuation,
/// else by position when the counts agree), six numbers from 0 to 100 per entry that sum to 100 ± 2
/// (then normalized to shares of 1), and a non-empty rationale.
/// </summary>
internal static partial class LlmReplyParser
{
    public const double SumTolerance = 2;
    const int MaxProblems = 12;

    static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static LlmAssessmentReply ParseAssessment(string? reply, IReadOnlyList<WorkloadActivity> activities)
    {
        ArgumentNullException.ThrowIfNull(activities);
        var problems = new List<string>();
        if (!TryReadEntries(reply, problems, out var document, out var entries))
        {
            return new LlmAssessmentReply([], problems);
        }

        using (document)
        {
            var assigned = Match(entries, activities, problems);
            var classifications = new ActivityClassification?[activities.Count];
            for (var i = 0; i < entries.Count; i++)
            {
                if (assigned[i] is { } index && ReadEntry(entries[i], i, activities[index], problems) is { } classification)
                {
                    classifications[index] = classification;
                }
            }

            if (problems.Count > MaxProblems)
            {
                var more = problems.Count - MaxProblems;
                problems.RemoveRange(MaxProblems, more);
                problems.Add($"... and {more} more problem(s).");
            }

            return problems.Count > 0
                ? new LlmAssessmentReply([], problems)
                : new LlmAssessmentReply(classifications.Select(c => c!).ToList(), problems);
        }
    }

    /// <summary>The JSON inside a reply: code fences and text around the outermost object or array are ignored.</summary>
    public static string? ExtractJson(string? reply)
    {
        if (string.IsNullOrWhiteSpace(reply))
        {
            return null;
        }

        var text = reply.Trim();
        var start = text.IndexOfAny(['{', '[']);
        if (start < 0)
        {
            return null;
        }

        // Without a closing bracket the reply was cut short; hand it on so the parser can say where.
        var end = text.LastIndexOf(text[start] == '{' ? '}' : ']');
        return end > start ? text[start..(end + 1)] : text[start..];
    }

    static bool TryReadEntries(string? reply, List<string> problems, out JsonDocument? document, out List<JsonElement> entries)
    {
        document = null;
        entries = [];
        if (string.IsNullOrWhiteSpace(reply))
        {
            problems.Add("The reply was empty.");
            return false;
        }

        var json = ExtractJson(reply);
        if (json is null)
        {
            problems.Add("The reply contains no JSON object.");
            return false;
        }

        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            problems.Add($"The reply is not valid JSON: {ex.Message}");
            return false;
        }

        var root = document.RootElement;
        JsonElement? array = root.ValueKind == JsonValueKind.Array ? root : null;
        if (root.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name.Equals("activities", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Array)
                {
                    array = property.Value;
                    break;
                }
            }
        }

        if (array is null)
        {
            problems.Add("The reply has no \"activities\" array at its top level.");
            document.Dispose();
            document = null;
            return false;
        }

        entries = array.Value.EnumerateArray().ToList();
        if (entries.Count == 0)
        {
            problems.Add("The \"activities\" array is empty.");
            document.Dispose();
            document = null;
            return false;
        }

        return true;
    }

    /// <summary>For each entry, the index of the input activity it answers, or null.</summary>
    static int?[] Match(List<JsonElement> entries, IReadOnlyList<WorkloadActivity> activities, List<string> problems)
    {
        var assigned = new int?[entries.Count];
        var taken = new bool[activities.Count];
        var keys = activities.Select(a => Normalize(a.Text)).ToArray();

        for (var i = 0; i < entries.Count; i++)
        {
            if (ActivityText(entries[i]) is not { } text)
            {
                continue;
            }

            var key = Normalize(text);
            for (var j = 0; j < keys.Length; j++)
            {
                if (!taken[j] && keys[j] == key)
                {
                    assigned[i] = j;
                    taken[j] = true;
                    break;
                }
            }
        }

        // Models sometimes paraphrase; with one entry per activity, position decides the rest.
        if (entries.Count == activities.Count)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                if (assigned[i] is null && !taken[i])
                {
                    assigned[i] = i;
                    taken[i] = true;
                }
            }
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (assigned[i] is null)
            {
                var text = ActivityText(entries[i]);
                problems.Add(text is null
                    ? $"Entry {i + 1} has no \"activity\" text."
                    : $"Entry {i + 1} (\"{Shorten(text)}\") matches none of the listed activities, or repeats one.");
            }
        }

        for (var j = 0; j < activities.Count; j++)
        {
            if (!taken[j])
            {
                problems.Add($"Activity {j + 1} (\"{Shorten(activities[j].Text)}\") has no entry.");
            }
        }

        if (entries.Count != activities.Count)
        {
            problems.Insert(0, $"Expected exactly {activities.Count} entries in \"activities\", got {entries.Count}.");
        }

        return assigned;
    }

    static ActivityClassification? ReadEntry(JsonElement entry, int position, WorkloadActivity activity, List<string> problems)
    {
        var label = $"Entry {position + 1} (\"{Shorten(activity.Text)}\")";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{label} is not a JSON object.");
            return null;
        }

        var before = problems.Count;
        var values = new Dictionary<CollaborationMode, double>();
        foreach (var (field, mode) in LlmPrompts.ModeFields)
        {
            if (!TryGetProperty(entry, field, out var value))
            {
                problems.Add($"{label} lacks \"{field}\".");
            }
            else if (!TryReadNumber(value, out var number))
            {
                problems.Add($"{label}: \"{field}\" must be a number, not {value.GetRawText()}.");
            }
            else if (number is < 0 or > 100)
            {
                problems.Add($"{label}: \"{field}\" is {number.ToString(CultureInfo.InvariantCulture)}, outside 0-100.");
            }
            else
            {
                values[mode] = number;
            }
        }

        var rationale = TryGetProperty(entry, "rationale", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()?.Trim() : null;
        if (string.IsNullOrEmpty(rationale))
        {
            problems.Add($"{label} needs a non-empty \"rationale\".");
        }

        if (problems.Count > before)
        {
            return null;
        }

        var sum = values.Values.Sum();
        if (Math.Abs(sum - 100) > SumTolerance)
        {
            problems.Add($"{label}: the six percentages sum to {Math.Round(sum, 2).ToString(CultureInfo.InvariantCulture)}, not 100.");
            return null;
        }

        var shares = values.ToDictionary(kv => kv.Key, kv => kv.Value / sum);
        return new ActivityClassification(activity, shares, rationale!);
    }

    static string? ActivityText(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && TryGetProperty(entry, "activity", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    static bool TryGetProperty(JsonElement entry, string name, out JsonElement value)
    {
        foreach (var property in entry.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    static bool TryReadNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out number) && double.IsFinite(number),
            JsonValueKind.String => double.TryParse(value.GetString()?.Trim().TrimEnd('%').Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out number)
                && double.IsFinite(number),
            _ => false,
        };
    }

    /// <summary>Case, spacing, list numbering, a stated share of time and trailing punctuation do not count.</summary>
    internal static string Normalize(string text)
    {
        var normalized = LeadingMarker().Replace(text.Trim(), "");
        normalized = TrailingShare().Replace(normalized, "");
        normalized = Whitespace().Replace(normalized, " ").Trim().TrimEnd('.', ';', ':', ',', '!').Trim();
        return normalized.ToLowerInvariant();
    }

    static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    [GeneratedRegex(@"^(?:[-*+•]|\d+[.)])\s+")]
    private static partial Regex LeadingMarker();

    [GeneratedRegex(@"[\s(\-–—]*\d{1,3}(?:\.\d+)?\s*%\s*\)?\s*$")]
    private static partial Regex TrailingShare();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
