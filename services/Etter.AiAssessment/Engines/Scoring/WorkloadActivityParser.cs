using System.Globalization;
using System.Text.RegularExpressions;

namespace Etter.AiAssessment.Engines.Scoring;

/// <summary>
/// Reads workload activities out of a job description: the bullets under the responsibilities section,
/// grouped by the sub-headings they sit under. Besides our markdown shape (<c>## Key Responsibilities</c>,
/// <c>### group</c>) it understands the headings people type by hand: "Responsibilities:", <c>**Duties**</c>
/// or a bare "Responsibilities" line. When a JD has no responsibilities section, every bullet outside
/// requirement-like sections counts; when it has no bullets at all, each sentence does, so loosely
/// formatted JDs still produce a table.
/// </summary>
public static partial class WorkloadActivityParser
{
    enum Section { Untitled, Responsibilities, Other }

    /// <summary>Sentences shorter than this are labels or fragments, not activities.</summary>
    const int MinSentenceWords = 4;

    public static IReadOnlyList<WorkloadActivity> Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');

        var section = Section.Untitled;
        var responsibilitiesLevel = 0;
        string? group = null;
        var fromSection = new List<WorkloadActivity>();
        var outsideOther = new List<WorkloadActivity>();
        var anywhere = new List<WorkloadActivity>();
        var sectionProse = new List<string>();
        var untitledProse = new List<string>();
        var firstContentLine = true;

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var isFirst = firstContentLine;
            firstContentLine = false;
            if (TryReadHeading(line, out var level, out var title))
            {
                var kind = Classify(title);
                if (section == Section.Responsibilities && level > responsibilitiesLevel && responsibilitiesLevel > 0 && !IsRequirements(title))
                {
                    // Nested under a markdown responsibilities heading, "### Customer experience" is a group,
                    // even though its words would otherwise name some other section.
                    group = title;
                }
                else if (kind == Section.Responsibilities)
                {
                    section = Section.Responsibilities;
                    // A hand-typed heading has no level, so any markdown heading after it nests below it.
                    responsibilitiesLevel = level ?? 0;
                    group = null;
                }
                else if (kind == Section.Other)
                {
                    section = Section.Other;
                    group = null;
                }
                else if (section == Section.Responsibilities && (level is null || level > responsibilitiesLevel))
                {
                    group = title;
                }
                else if (level is not null)
                {
                    // An unknown heading at or above the responsibilities level (the document title, "About
                    // the team") ends the section; an unknown plain "Label:" elsewhere changes nothing.
                    section = Section.Untitled;
                    group = null;
                }

                continue;
            }

            var bullet = BulletPattern().Match(line);
            if (!bullet.Success)
            {
                // A first line without a full stop is the document's title, not a duty.
                var isTitle = isFirst && !line.EndsWith('.');
                if (!isTitle && section == Section.Responsibilities)
                {
                    sectionProse.Add(line);
                }
                else if (!isTitle && section == Section.Untitled)
                {
                    untitledProse.Add(line);
                }

                continue;
            }

            var activity = ToActivity(bullet.Groups["text"].Value, section == Section.Responsibilities ? group : null);
            if (activity is null)
            {
                continue;
            }

            anywhere.Add(activity);
            if (section == Section.Responsibilities)
            {
                fromSection.Add(activity);
            }
            else if (section == Section.Untitled)
            {
                outsideOther.Add(activity);
            }
        }

        if (fromSection.Count > 0)
        {
            return fromSection;
        }

        if (outsideOther.Count > 0)
        {
            return outsideOther;
        }

        if (anywhere.Count > 0)
        {
            return anywhere;
        }

        return Sentences(sectionProse.Count > 0 ? sectionProse : untitledProse);
    }

    static Section? Classify(string title)
    {
        var lower = title.ToLowerInvariant().Replace('’', '\'');
        if (lower.Contains("responsibilit", StringComparison.Ordinal)
            || lower.Contains("duties", StringComparison.Ordinal)
            || lower.Contains("activities", StringComparison.Ordinal)
            || lower.Contains("essential functions", StringComparison.Ordinal)
            || lower.Contains("day to day", StringComparison.Ordinal)
            || lower.Contains("day-to-day", StringComparison.Ordinal)
            || lower.Contains("what you", StringComparison.Ordinal) && lower.Contains(" do", StringComparison.Ordinal))
        {
            return Section.Responsibilities;
        }

        string[] other =
        [
            "requirement", "qualification", "skills", "education", "experience", "what you'll need", "what you will need",
            "what you bring", "what we're looking for", "what we are looking for", "who you are", "nice to have",
            "preferred", "benefit", "perks", "compensation", "salary", "what we offer", "about", "overview", "summary",
            "why join", "equal opportunity", "location",
        ];
        return other.Any(o => lower.Contains(o, StringComparison.Ordinal)) ? Section.Other : null;
    }

    static bool IsRequirements(string title)
    {
        var lower = title.ToLowerInvariant();
        return lower.Contains("requirement", StringComparison.Ordinal) || lower.Contains("qualification", StringComparison.Ordinal);
    }

    /// <summary>
    /// Markdown headings carry a level; hand-typed ones ("Duties:", <c>**Duties**</c>, or a short bare
    /// line that names a known section) do not.
    /// </summary>
    static bool TryReadHeading(string line, out int? level, out string title)
    {
        level = null;
        title = "";
        var markdown = HeadingPattern().Match(line);
        if (markdown.Success)
        {
            level = markdown.Groups["hashes"].Value.Length;
            title = Clean(markdown.Groups["title"].Value);
            return title.Length > 0;
        }

        if (BulletPattern().IsMatch(line))
        {
            return false;
        }

        var bold = BoldHeadingPattern().Match(line);
        if (bold.Success)
        {
            title = Clean(bold.Groups["title"].Value);
            return title.Length > 0;
        }

        if (line.EndsWith(':') && line.Length <= 60)
        {
            title = Clean(line);
            return title.Length > 0;
        }

        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (words <= 5 && !char.IsPunctuation(line[^1]) && Classify(line) is not null)
        {
            title = line;
            return true;
        }

        return false;
    }

    static string Clean(string title) => title.Trim().Trim('*', '_').Trim().TrimEnd(':').Trim();

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

    static List<WorkloadActivity> Sentences(List<string> prose) =>
        SentenceBreak().Split(string.Join(' ', prose))
            .Select(s => s.Trim().TrimEnd('.', ';', '!').Trim())
            .Where(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= MinSentenceWords)
            .Select(s => ToActivity(s, null))
            .OfType<WorkloadActivity>()
            .ToList();

    [GeneratedRegex(@"^(?<hashes>#{1,6})\s+(?<title>.+)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^(?:\*\*|__)(?<title>[^*_]{1,60})(?:\*\*|__):?$")]
    private static partial Regex BoldHeadingPattern();

    [GeneratedRegex(@"^(?:[-*+•▪●◦‣]|\d+[.)])\s+(?<text>.+)$")]
    private static partial Regex BulletPattern();

    /// <summary>"(30%)", "- 30%", "30 %" at the start or end of a bullet.</summary>
    [GeneratedRegex(@"(?:^\(?\s*(?<value>\d{1,3}(?:\.\d+)?)\s*%\s*\)?\s*[-:]?)|(?:[\s(\-–—]+(?<value>\d{1,3}(?:\.\d+)?)\s*%\s*\)?\s*$)")]
    private static partial Regex PercentPattern();

    [GeneratedRegex(@"(?<=[.;!?])\s+")]
    private static partial Regex SentenceBreak();
}
