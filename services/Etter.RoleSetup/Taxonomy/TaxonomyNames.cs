using System.Text;

namespace Etter.RoleSetup.Taxonomy;

/// <summary>How company and role names are compared and turned into file names.</summary>
public static class TaxonomyNames
{
    /// <summary>
    /// The comparison key for a name: trimmed, inner whitespace collapsed to single spaces, lower-cased.
    /// Names arrive from CLI arguments and API payloads, where stray spaces and casing are common.
    /// </summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(name.Length);
        var pendingSpace = false;
        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = text.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                text.Append(' ');
                pendingSpace = false;
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    /// <summary>
    /// A file-name-safe form of a name: lower-case ASCII letters and digits, every other run of
    /// characters turned into a single '-', no leading or trailing '-' ("Walmart Inc." → "walmart-inc").
    /// </summary>
    public static string Slug(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var slug = new StringBuilder(name.Length);
        var pendingDash = false;
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (pendingDash)
                {
                    slug.Append('-');
                    pendingDash = false;
                }

                slug.Append(char.ToLowerInvariant(c));
            }
            else
            {
                pendingDash = slug.Length > 0;
            }
        }

        return slug.ToString();
    }
}
