using Etter.Contracts;
using Etter.RoleSetup.Documents;
using Microsoft.Extensions.Logging.Abstractions;

namespace Etter.RoleSetup.JobDescriptions;

/// <summary>
/// Finds the text to use as a role's job description, in order:
/// <list type="number">
/// <item>the first <c>job_description</c> document with content (source <c>document</c> or <c>document:&lt;name&gt;</c>);</item>
/// <item>otherwise any document with content;</item>
/// <item>otherwise the first document with a <c>uri</c> — a <c>job_description</c> one before others — fetched and
/// its text extracted (source <c>uri:&lt;host&gt;</c>); a failure throws <see cref="DocumentFetchException"/>, so
/// role_setup fails with a clear error instead of quietly using another JD;</item>
/// <item>otherwise the <see cref="IDocumentProvider"/>'s best pick (<c>provider:sample</c>, <c>provider:folder:&lt;file&gt;</c>);</item>
/// <item>otherwise none (the workflow then ends Degraded, without an assessment).</item>
/// </list>
/// Sources are cut to <see cref="MaxSourceLength"/> characters, the width of the role graph's source column.
/// </summary>
public sealed class JobDescriptionResolver(DocumentFetcher fetcher, IDocumentProvider provider, ILogger<JobDescriptionResolver>? logger = null)
{
    public const int MaxSourceLength = 64;

    readonly ILogger _logger = logger ?? NullLogger<JobDescriptionResolver>.Instance;

    /// <exception cref="DocumentFetchException">The document chosen by <c>uri</c> could not be fetched or read.</exception>
    public async Task<SelectedJobDescription?> ResolveAsync(
        string companyName, string roleName, IReadOnlyList<RoleDocument>? documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        ArgumentNullException.ThrowIfNull(roleName);
        var all = documents ?? [];

        var withContent = all.Where(d => !string.IsNullOrWhiteSpace(d.Content)).ToList();
        var inline = withContent.FirstOrDefault(IsJobDescription) ?? withContent.FirstOrDefault();
        if (inline is not null)
        {
            return Selected(inline.Content!, inline.Name is { Length: > 0 } name ? $"document:{name}" : "document");
        }

        var withUri = all.Where(d => !string.IsNullOrWhiteSpace(d.Uri)).ToList();
        var linked = withUri.FirstOrDefault(IsJobDescription) ?? withUri.FirstOrDefault();
        if (linked is not null)
        {
            var fetched = await fetcher.FetchTextAsync(linked.Uri!, cancellationToken);
            _logger.LogInformation("Job description for {Company} / {Role} fetched from {Url} ({Kind}).",
                companyName, roleName, DocumentFetcher.SafeUrl(fetched.Uri), fetched.Kind);
            // The host the push named (not where redirects ended), as the people reading the source know it.
            var host = Uri.TryCreate(linked.Uri!.Trim(), UriKind.Absolute, out var pushed) ? pushed.IdnHost : fetched.Uri.IdnHost;
            return Selected(fetched.Text, $"uri:{host}");
        }

        var provided = await provider.FindBestAsync(companyName, roleName, cancellationToken);
        if (provided is not null)
        {
            _logger.LogInformation("Job description for {Company} / {Role} picked by the document provider: {Source}.", companyName, roleName, provided.Source);
            return Selected(provided.Text, provided.Source);
        }

        return null;
    }

    static bool IsJobDescription(RoleDocument document) => DocumentTypes.Normalize(document.Type) == DocumentTypes.JobDescription;

    static SelectedJobDescription Selected(string text, string source) =>
        new(text, source.Length <= MaxSourceLength ? source : source[..MaxSourceLength]);
}
