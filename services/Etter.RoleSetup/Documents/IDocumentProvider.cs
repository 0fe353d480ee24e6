namespace Etter.RoleSetup.Documents;

/// <summary>A document a provider picked for a company role, with its text already extracted.</summary>
/// <param name="Name">The file (or sample) name, e.g. <c>claims-adjuster.pdf</c>.</param>
/// <param name="Kind">The document's format.</param>
/// <param name="Text">The extracted text (never blank).</param>
/// <param name="ModifiedAt">When the file was last written, when known.</param>
/// <param name="Source">The job description source to record, e.g. <c>provider:sample</c> or <c>provider:folder:&lt;file&gt;</c>.</param>
public sealed record ProvidedDocument(string Name, DocumentKind Kind, string Text, DateTimeOffset? ModifiedAt, string Source);

/// <summary>
/// Finds a company role's job description when a push carries none. The pick follows the old system's
/// priority (see <see cref="DocumentPriority"/>): an exact role match before a partial one, then PDF, DOCX,
/// anything else, then the newest.
/// </summary>
public interface IDocumentProvider
{
    /// <summary>The best document for the role, or null when the provider has none.</summary>
    Task<ProvidedDocument?> FindBestAsync(string companyName, string roleName, CancellationToken cancellationToken);
}
