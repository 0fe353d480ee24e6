using System.ComponentModel.DataAnnotations;

namespace Etter.ServiceDefaults.Configuration;

/// <summary>Top-level switch (<c>Etter:Mode</c> / <c>Etter__Mode</c>) between the embedded default and distributed servers.</summary>
public sealed class EtterOptions
{
    public const string Section = "Etter";

    /// <summary>Embedded: in-memory bus, SQLite, in-memory status. Distributed: RabbitMQ, PostgreSQL, Redis.</summary>
    public EtterMode Mode { get; set; } = EtterMode.Embedded;

    /// <summary>Where embedded mode keeps its SQLite files; relative paths are taken from the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".etter";

    public string ResolveDataDirectory()
    {
        var path = Path.GetFullPath(DataDirectory);
        Directory.CreateDirectory(path);
        return path;
    }
}
