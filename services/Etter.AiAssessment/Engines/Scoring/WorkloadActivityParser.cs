using System.Globalization;
using System.Text.RegularExpressions;

namespace Etter.AiAssessment.Engines.Scoring;

/// <summary>
/// Reads workload activities out of a job description in our markdown shape: the bullets under the
/// responsibilities section, grouped by the sub-headings they sit under. When a JD has no such section,
/// every bullet counts, so loosely formatted JDs still produce a table.
/// </summary>
public static partial class WorkloadActivityParser
{
    public static IReadOnlyList<WorkloadActivity> Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

        var inResponsibilities = false;
        var sawResponsibilities = false;
        string? group = null;
        var fromSection = new List<WorkloadActivity>();
        var anywhere = new List<WorkloadActivity>();

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var heading = HeadingPattern().Match(line);
            if (heading.Success)
            {
                var level = heading.Groups["hashes"].Value.Length;
                var title = heading.Groups["title"].Value.Trim();
                if (level <= 2)
                {
                    inResponsibilities = IsResponsibilitiesHeading(title);
                    sawResponsibilities |= inResponsibilities;
                    group = null;
                }
                else if (inResponsibilities)
                {
                    group = title;
                }

                continue;
            }

            var bullet = BulletPattern().Match(line);
            if (!bullet.Success)
            {
                continue;
            }

            var activity = ToActivity(bullet.Groups["text"].Value, group);
            if (activity is null)
            {
                continue;
            }

            anywhere.Add(activity);
            if (inResponsibilities)
            {
                fromSection.Add(activity);
            }
        }

        return sawResponsibilities && fromSection.Count > 0 ? fromSection : anywhere;
    }

    static bool IsResponsibilitiesHeading(string title)
    {
        var lower = title.ToLowerInvariant();
        return lower.Contains("responsibilit", StringComparison.Ordinal)
            || lower.Contains("duties", StringComparison.Ordinal)
            || lower.Contains("what you", StringComparison.Ordinal)
            || lower.Contains("activities", StringComparison.Ordinal);
    }

    static WorkloadActivity? ToActivity(string text, string? group)
    {
        var trimmed = text.Trim().TrimEnd('.', ';').Trim();
        double? weight = null;
        var percent = PercentPattern().Match(trimmed);
        if (percent.Success)
        {
            weight = double.Parse(percent.Groups["value"].Value, CultureInfo.InvariantCulture);
            trimmed = trimmed.Remove(percent.Index, percent.Length).Trim().TrimEnd('-', ':', ',').Trim();
        }

        return trimmed.Length < 3 ? null : new WorkloadActivity(trimmed, group, weight);
    }

    [GeneratedRegex(@"^(?<hashes>#{1,6})\s+(?<title>.+)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^(?:[-*+•]|\d+[.)])\s+(?<text>.+)$")]
    private static partial Regex BulletPattern();

    /// <summary>"(30%)", "- 30%", "30 %" at the start or end of a bullet.</summary>
    [GeneratedRegex(@"(?:^\(?\s*(?<value>\d{1,3}(?:\.\d+)?)\s*%\s*\)?\s*[-:]?)|(?:[\s(\-–—]+(?<value>\d{1,3}(?:\.\d+)?)\s*%\s*\)?\s*$)")]
    private static partial Regex PercentPattern();
}
