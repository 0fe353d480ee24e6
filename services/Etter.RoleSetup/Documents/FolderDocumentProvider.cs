using Etter.RoleSetup.Taxonomy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Etter.RoleSetup.Documents;

/// <summary>
/// Job descriptions kept as files under <c>&lt;root&gt;/&lt;company&gt;/&lt;role&gt;/*</c> (PDF, DOCX, HTML,
/// markdown or text). The company folder matches the company name exactly (case-insensitively, or by slug:
/// <c>walmart-inc</c> for "Walmart Inc."); a role folder matches exactly or partially (see
/// <see cref="DocumentPriority.Match"/>). Among the files found, <see cref="DocumentPriority"/> decides; a file that
/// cannot be read (damaged, empty, too large) is skipped for the next one.
/// </summary>
/// <remarks>
/// Paths are never built from the pushed names: folders are listed and compared, so a name such as
/// <c>../../etc</c> cannot leave the root. Hidden entries and symbolic links are ignored for the same reason.
/// </remarks>
public sealed class FolderDocumentProvider : IDocumentProvider
{
    public const string SourcePrefix = "provider:folder:";

    readonly string _root;
    readonly DocumentTextExtractor _extractor;
    readonly long _maxBytes;
    readonly ILogger _logger;

    public FolderDocumentProvider(string root, DocumentTextExtractor extractor, long maxBytes = 10 * 1024 * 1024, ILogger<FolderDocumentProvider>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _root = Path.GetFullPath(root);
        _extractor = extractor;
        _maxBytes = maxBytes;
        _logger = logger ?? NullLogger<FolderDocumentProvider>.Instance;
    }

    public string Root => _root;

    public async Task<ProvidedDocument?> FindBestAsync(string companyName, string roleName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        ArgumentNullException.ThrowIfNull(roleName);
        if (!Directory.Exists(_root))
        {
            _logger.LogWarning("The job description folder {Root} does not exist; no document for {Company} / {Role}.", _root, companyName, roleName);
            return null;
        }

        var files = new Dictionary<string, (FileInfo File, DocumentKind? Kind)>(StringComparer.Ordinal);
        var candidates = new List<DocumentCandidate>();
        foreach (var companyFolder in Folders(new DirectoryInfo(_root)).Where(d => IsCompany(d.Name, companyName)))
        {
            foreach (var roleFolder in Folders(companyFolder))
            {
                if (DocumentPriority.Match(roleFolder.Name, roleName) is not { } exact)
                {
                    continue;
                }

                foreach (var file in Files(roleFolder))
                {
                    var kind = await DetectAsync(file, cancellationToken);
                    if (kind is null)
                    {
                        _logger.LogDebug("Skipping {File}: not a supported document format.", file.FullName);
                        continue;
                    }

                    var key = Path.GetRelativePath(_root, file.FullName).Replace('\\', '/');
                    files[key] = (file, kind);
                    candidates.Add(new DocumentCandidate(key, kind, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), exact));
                }
            }
        }

        foreach (var candidate in DocumentPriority.Order(candidates))
        {
            var (file, kind) = files[candidate.Name];
            try
            {
                var bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
                var text = _extractor.Extract(bytes, kind!.Value);
                if (!string.IsNullOrWhiteSpace(text))
                {
                    return new ProvidedDocument(file.Name, kind.Value, text, candidate.ModifiedAt, SourcePrefix + file.Name);
                }

                _logger.LogWarning("Skipping {File}: no text could be extracted from it.", file.FullName);
            }
            catch (Exception ex) when (ex is DocumentExtractionException or IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(ex, "Skipping {File}: it could not be read.", file.FullName);
            }
        }

        return null;
    }

    static bool IsCompany(string folderName, string companyName)
    {
        if (TaxonomyNames.Normalize(folderName) == TaxonomyNames.Normalize(companyName))
        {
            return true;
        }

        var slug = TaxonomyNames.Slug(companyName);
        return slug.Length > 0 && TaxonomyNames.Slug(folderName) == slug;
    }

    static IEnumerable<DirectoryInfo> Folders(DirectoryInfo parent) =>
        parent.EnumerateDirectories().Where(d => Visible(d)).OrderBy(d => d.Name, StringComparer.Ordinal);

    IEnumerable<FileInfo> Files(DirectoryInfo folder) =>
        folder.EnumerateFiles().Where(f => Visible(f) && f.Length > 0 && f.Length <= _maxBytes);

    static bool Visible(FileSystemInfo entry) =>
        !entry.Name.StartsWith('.')
        && (entry.Attributes & (FileAttributes.Hidden | FileAttributes.ReparsePoint | FileAttributes.System)) == 0;

    /// <summary>By extension when it says enough, else by the file's bytes.</summary>
    static async Task<DocumentKind?> DetectAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var byName = DocumentTextExtractor.Detect([], contentType: null, file.Name);
        if (byName is not null)
        {
            return byName;
        }

        try
        {
            // The whole file (at most MaxBytes): a zip needs its central directory, at the end, to be recognized as DOCX.
            var bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
            return DocumentTextExtractor.Detect(bytes, contentType: null, fileName: null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
