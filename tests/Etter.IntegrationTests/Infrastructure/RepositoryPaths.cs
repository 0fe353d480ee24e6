namespace Etter.IntegrationTests.Infrastructure;

/// <summary>Finds the repository and the built service binaries the tests run as real processes.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this test assembly was built in; services are built alongside it.</summary>
    public static string Configuration { get; } =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string ServiceDll(string project, string? assembly = null) =>
        Path.Combine(Root, "services", project, "bin", Configuration, "net10.0", $"{assembly ?? project}.dll");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Etter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Etter.sln not found above {AppContext.BaseDirectory}.");
    }
}
