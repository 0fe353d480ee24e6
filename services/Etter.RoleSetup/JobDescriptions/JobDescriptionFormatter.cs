using System.Text;
using System.Text.RegularExpressions;

namespace Etter.RoleSetup.JobDescriptions;

/// <summary>
/// Normalizes any job description text to our markdown shape, deterministically:
/// <c># Title</c>, <c>## Overview</c>, <c>## Key Responsibilities</c> (bullets, sub-headings kept as
/// <c>###</c>), <c>## Requirements</c> (bullets). Lines are sorted into sections by the headings the text
/// already has (responsibilities/duties, requirements/qualifications/skills); text before any known
/// heading is overview. Nothing is dropped: unknown sections are kept under their own <c>##</c> heading.
/// </summary>
public static partial class JobDescriptionFormatter
{
    enum Section { Overview, Responsibilities, Requirements, Other }

    public static string Format(string title, string rawText)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(rawText);

        var overview = new List<string>();
        var responsibilities = new List<string>();
        var requirements = new List<string>();
        var others = new List<(string Heading, List<string> Lines)>();
        var section = Section.Overview;
        var lines = rawText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var firstContentLine = true;

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var heading = HeadingText(line);
            if (firstContentLine)
            {
                // The document's own title line (an H1, or a bare line repeating the role): our H1 replaces it.
                firstContentLine = false;
                var candidate = heading ?? line;
                if ((line.StartsWith("# ", StringComparison.Ordinal) && Classify(candidate) is null)
                    || candidate.Equals(title.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
            }

            if (heading is not null)
            {
                var kind = Classify(heading);
                if (kind is not null)
                {
                    section = kind.Value;
                    continue;
                }

                if (section == Section.Responsibilities && line.StartsWith("###", StringComparison.Ordinal))
                {
                    responsibilities.Add($"### {heading}");
                    continue;
                }

                if (line.StartsWith('#') || line.EndsWith(':'))
                {
                    section = Section.Other;
                    others.Add((heading, []));
                    continue;
                }
            }

            switch (section)
            {
                case Section.Overview:
                    overview.Add(StripBullet(line));
                    break;
                case Section.Responsibilities:
                    responsibilities.Add($"- {StripBullet(line)}");
                    break;
                case Section.Requirements:
                    requirements.Add($"- {StripBullet(line)}");
                    break;
                default:
                    others[^1].Lines.Add(line);
                    break;
            }
        }

        var markdown = new StringBuilder();
        markdown.Append("# ").AppendLine(title.Trim()).AppendLine();
        AppendSection(markdown, "Overview", overview.Count > 0 ? [string.Join(' ', overview)] : []);
        AppendSection(markdown, "Key Responsibilities", responsibilities);
        AppendSection(markdown, "Requirements", requirements);
        foreach (var (heading, body) in others)
        {
            AppendSection(markdown, heading, body);
        }

        return markdown.ToString().TrimEnd() + "\n";
    }

    static void AppendSection(StringBuilder markdown, string heading, List<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        markdown.Append("## ").AppendLine(heading).AppendLine();
        foreach (var line in lines)
        {
            if (line.StartsWith("###", StringComparison.Ordinal))
            {
                markdown.AppendLine().AppendLine(line).AppendLine();
            }
            else
            {
                markdown.AppendLine(line);
            }
        }

        markdown.AppendLine();
    }

    static Section? Classify(string heading)
    {
        var lower = heading.ToLowerInvariant();
        if (lower.Contains("responsibilit", StringComparison.Ordinal) || lower.Contains("duties", StringComparison.Ordinal)
            || lower.Contains("what you will do", StringComparison.Ordinal) || lower.Contains("what you'll do", StringComparison.Ordinal)
            || lower.Contains("key activities", StringComparison.Ordinal))
        {
            return Section.Responsibilities;
        }

        if (lower.Contains("requirement", StringComparison.Ordinal) || lower.Contains("qualification", StringComparison.Ordinal)
            || lower.Contains("skills", StringComparison.Ordinal) || lower.Contains("what you bring", StringComparison.Ordinal)
            || lower.Contains("experience", StringComparison.Ordinal) && lower.Length < 40)
        {
            return Section.Requirements;
        }

        if (lower is "overview" or "summary" or "about the role" or "role summary" or "position summary" or "job summary" or "description")
        {
            return Section.Overview;
        }

        return null;
    }

    /// <summary>A markdown heading's text, or a short line ending in ':' (a heading in plain-text JDs).</summary>
    static string? HeadingText(string line)
    {
        var markdownHeading = MarkdownHeading().Match(line);
        if (markdownHeading.Success)
        {
            return markdownHeading.Groups["text"].Value.Trim().TrimEnd(':');
        }

        if (line.EndsWith(':') && line.Length <= 60 && !Bullet().IsMatch(line))
        {
            return line.TrimEnd(':').Trim();
        }

        var bold = BoldHeading().Match(line);
        return bold.Success ? bold.Groups["text"].Value.Trim().TrimEnd(':') : null;
    }

    static string StripBullet(string line) => Bullet().Replace(line, "").Trim();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+)$")]
    private static partial Regex MarkdownHeading();

    [GeneratedRegex(@"^\*\*(?<text>[^*]{1,60})\*\*:?$")]
    private static partial Regex BoldHeading();

    [GeneratedRegex(@"^(?:[-*+•▪●]|\d+[.)])\s+")]
    private static partial Regex Bullet();
}
