namespace Etter.Contracts;

/// <summary>The document type vocabulary shared with the old pipeline API.</summary>
public static class DocumentTypes
{
    public const string JobDescription = "job_description";
    public const string ProcessMap = "process_map";
    public const string Sop = "sop";
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } = [JobDescription, ProcessMap, Sop, Other];

    /// <summary>Maps unknown or differently-cased types onto the vocabulary, so nothing is rejected for a label.</summary>
    public static string Normalize(string? type)
    {
        var candidate = type?.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
        return candidate is not null && All.Contains(candidate) ? candidate : Other;
    }
}
