using System.Text;

namespace Etter.AiAssessment.Engines.Rubric;

/// <summary>
/// Turns text into comparable word stems. Deliberately light: a handful of English suffix rules applied
/// identically to lexicon phrases and JD text, so "reconciled", "reconciles" and "reconciling" all meet
/// "reconcile" without pulling in a stemming library whose updates would silently move scores.
/// </summary>
static class RubricText
{
    const int MinStem = 3;

    /// <summary>Lower-cased stems of every run of ASCII letters and digits; anything else separates words.</summary>
    public static string[] Stems(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stems = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                stems.Add(Stem(word.ToString()));
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            stems.Add(Stem(word.ToString()));
        }

        return [.. stems];
    }

    /// <summary>
    /// In order: "-ies"/"-ied" become "-y"; a plural "-s" goes (not from "-ss", "-us", "-is"); then one of
    /// "-ing", "-ed", "-ion"; then a final "-e"; then a doubled final consonant is halved. Each step applies
    /// only when at least three letters remain, which keeps short words such as "need" or "use" intact.
    /// </summary>
    public static string Stem(string word)
    {
        var w = word.ToLowerInvariant();
        if (w.Length > MinStem + 2 && (w.EndsWith("ies", StringComparison.Ordinal) || w.EndsWith("ied", StringComparison.Ordinal)))
        {
            w = w[..^3] + "y";
        }
        else if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal)
            && !w.EndsWith("is", StringComparison.Ordinal) && w.Length > MinStem)
        {
            w = w[..^1];
        }

        foreach (var suffix in (ReadOnlySpan<string>)["ing", "ed", "ion"])
        {
            if (w.EndsWith(suffix, StringComparison.Ordinal) && w.Length - suffix.Length >= MinStem)
            {
                w = w[..^suffix.Length];
                break;
            }
        }

        if (w.EndsWith('e') && w.Length > MinStem)
        {
            w = w[..^1];
        }

        if (w.Length > MinStem && w[^1] == w[^2] && !IsVowel(w[^1]) && char.IsAsciiLetter(w[^1]))
        {
            w = w[..^1];
        }

        return w;
    }

    static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';
}
