namespace Etter.RoleSetup.Taxonomy;

/// <summary>A taxonomy file is missing, of an unknown kind, or holds a bad row; the message names the file and line.</summary>
public sealed class TaxonomyFileException : Exception
{
    public TaxonomyFileException()
        : this("The taxonomy file could not be read.")
    {
    }

    public TaxonomyFileException(string message)
        : base(message)
    {
    }

    public TaxonomyFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public TaxonomyFileException(string path, int? lineNumber, string problem, Exception? innerException = null)
        : base(lineNumber is { } line ? $"Taxonomy file '{path}', line {line}: {problem}" : $"Taxonomy file '{path}': {problem}", innerException)
    {
        FilePath = path;
        LineNumber = lineNumber;
    }

    public string? FilePath { get; }

    /// <summary>The 1-based line the problem is on (where the row starts), when it is tied to one.</summary>
    public int? LineNumber { get; }
}
