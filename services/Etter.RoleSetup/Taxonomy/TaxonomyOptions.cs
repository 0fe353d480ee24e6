using System.ComponentModel.DataAnnotations;

namespace Etter.RoleSetup.Taxonomy;

/// <summary>
/// Which taxonomy is used (<c>Etter:Taxonomy</c>, or <c>Etter__Taxonomy__*</c> in the environment): <c>sample</c>
/// (default, the taxonomy built into this assembly) or <c>file</c> (a JSON or CSV file at <see cref="File"/>; see
/// <see cref="FileTaxonomyProvider"/>).
/// </summary>
public sealed class TaxonomyOptions : IValidatableObject
{
    public const string Section = "Etter:Taxonomy";
    public const string SampleProvider = "sample";
    public const string FileProvider = "file";

    public string Provider { get; set; } = SampleProvider;

    /// <summary>The taxonomy file (<c>.json</c> or <c>.csv</c>); relative paths are taken from the working directory.</summary>
    public string? File { get; set; }

    public bool IsFile => string.Equals(Provider?.Trim(), FileProvider, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var provider = Provider?.Trim() ?? "";
        if (!provider.Equals(SampleProvider, StringComparison.OrdinalIgnoreCase) && !provider.Equals(FileProvider, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"{Section}:Provider must be '{SampleProvider}' or '{FileProvider}' (found '{Provider}').", [nameof(Provider)]);
        }

        if (!IsFile)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(File))
        {
            yield return new ValidationResult(
                $"{Section}:File is required when {Section}:Provider is '{FileProvider}': the path of a taxonomy .json or .csv file (set Etter__Taxonomy__File).",
                [nameof(File)]);
        }
        else if (!System.IO.File.Exists(Path.GetFullPath(File)))
        {
            yield return new ValidationResult($"{Section}:File '{Path.GetFullPath(File)}' does not exist.", [nameof(File)]);
        }
    }
}
