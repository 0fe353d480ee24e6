using Etter.RoleSetup.Taxonomy;

namespace Etter.RoleSetup.Documents;

/// <summary>The built-in sample job descriptions (<see cref="ISampleJobDescriptions"/>), offered as markdown documents.</summary>
public sealed class SampleDocumentProvider(ISampleJobDescriptions samples) : IDocumentProvider
{
    public const string Source = "provider:sample";

    public Task<ProvidedDocument?> FindBestAsync(string companyName, string roleName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        ArgumentNullException.ThrowIfNull(roleName);
        var text = samples.Find(companyName, roleName);
        return Task.FromResult(string.IsNullOrWhiteSpace(text)
            ? null
            : new ProvidedDocument($"{TaxonomyNames.Slug(roleName)}.md", DocumentKind.Markdown, text, ModifiedAt: null, Source));
    }
}
