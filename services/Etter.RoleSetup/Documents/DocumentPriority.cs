using Etter.RoleSetup.Taxonomy;

namespace Etter.RoleSetup.Documents;

/// <summary>A document a provider could offer, described by what its rank depends on.</summary>
/// <param name="Name">A stable name, the last tie-breaker.</param>
/// <param name="Kind">The detected format, or null when only its content can tell (ranked as "other").</param>
/// <param name="ModifiedAt">When it was last changed.</param>
/// <param name="ExactMatch">True when it belongs to the role by its exact name, false for a partial match.</param>
public sealed record DocumentCandidate(string Name, DocumentKind? Kind, DateTimeOffset ModifiedAt, bool ExactMatch);

/// <summary>
/// The old system's order for auto-picked documents: an exact role-name match before a partial one; then PDF,
/// then DOCX, then anything else; then the newest first; then by name (so the pick is deterministic).
/// </summary>
/// <remarks>
/// Match quality comes first on purpose: a newer PDF filed under "Senior Claims Adjuster" is the wrong job
/// description for "Claims Adjuster", however well it is formatted.
/// </remarks>
public static class DocumentPriority
{
    public static IReadOnlyList<DocumentCandidate> Order(IEnumerable<DocumentCandidate> candidates) =>
        [.. candidates
            .OrderBy(c => c.ExactMatch ? 0 : 1)
            .ThenBy(c => FormatRank(c.Kind))
            .ThenByDescending(c => c.ModifiedAt)
            .ThenBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>0 for PDF, 1 for DOCX, 2 for every other format.</summary>
    public static int FormatRank(DocumentKind? kind) => kind switch
    {
        DocumentKind.Pdf => 0,
        DocumentKind.Docx => 1,
        _ => 2,
    };

    /// <summary>
    /// How a folder or file name matches a role name: exact when their slugs (or normalized names) are equal;
    /// partial when one's slug words are a contiguous run of the other's ("claims-adjuster" in
    /// "senior-claims-adjuster"); otherwise null.
    /// </summary>
    public static bool? Match(string candidateName, string roleName)
    {
        ArgumentNullException.ThrowIfNull(candidateName);
        ArgumentNullException.ThrowIfNull(roleName);
        if (TaxonomyNames.Normalize(candidateName) == TaxonomyNames.Normalize(roleName))
        {
            return true;
        }

        var candidate = TaxonomyNames.Slug(candidateName);
        var role = TaxonomyNames.Slug(roleName);
        if (candidate.Length == 0 || role.Length == 0)
        {
            return null;
        }

        if (candidate == role)
        {
            return true;
        }

        var wrappedCandidate = $"-{candidate}-";
        var wrappedRole = $"-{role}-";
        return wrappedCandidate.Contains(wrappedRole, StringComparison.Ordinal) || wrappedRole.Contains(wrappedCandidate, StringComparison.Ordinal)
            ? false
            : null;
    }
}
