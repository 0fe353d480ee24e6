using System.ComponentModel.DataAnnotations;

namespace Etter.RoleSetup.Documents;

/// <summary>
/// Where job descriptions come from when a push carries none (<c>Etter:Documents:Provider</c> and
/// <c>Etter:Documents:FolderRoot</c>): <c>sample</c> (default, the built-in sample JDs) or <c>folder</c>
/// (files under <c>&lt;FolderRoot&gt;/&lt;company&gt;/&lt;role&gt;/</c>).
/// </summary>
public sealed class DocumentProviderOptions : IValidatableObject
{
    public const string Section = DocumentFetchOptions.Section;
    public const string SampleProvider = "sample";
    public const string FolderProvider = "folder";

    public string Provider { get; set; } = SampleProvider;

    /// <summary>The folder holding <c>&lt;company&gt;/&lt;role&gt;/*</c>; relative paths are taken from the working directory.</summary>
    public string? FolderRoot { get; set; }

    public bool IsFolder => string.Equals(Provider?.Trim(), FolderProvider, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var provider = Provider?.Trim() ?? "";
        if (!provider.Equals(SampleProvider, StringComparison.OrdinalIgnoreCase) && !provider.Equals(FolderProvider, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{Section}:Provider must be '{SampleProvider}' or '{FolderProvider}' (found '{Provider}').", [nameof(Provider)]);
        }

        if (IsFolder && string.IsNullOrWhiteSpace(FolderRoot))
        {
            yield return new ValidationResult(
                $"{Section}:FolderRoot is required when {Section}:Provider is '{FolderProvider}': the folder holding <company>/<role>/ job description files (set Etter__Documents__FolderRoot).",
                [nameof(FolderRoot)]);
        }
    }
}
