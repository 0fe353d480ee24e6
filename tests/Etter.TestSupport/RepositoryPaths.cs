namespace Etter.TestSupport;

/// <summary>Finds the repository, the built service binaries and the commit they were built from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this was built in; the services are built, and run, in the same one.</summary>
    public static string Configuration { get; } =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>deploy/local/run-service.sh: how every local service process is started (see <see cref="ServiceProcess"/>).</summary>
    public static string RunServiceScript => Path.Combine(Root, "deploy", "local", "run-service.sh");

    public static string ServiceDll(string project, string? assembly = null) =>
        Path.Combine(Root, "services", project, "bin", Configuration, "net10.0", $"{assembly ?? project}.dll");

    /// <summary>The commit checked out, read from .git without running git; null outside a work tree.</summary>
    public static string? GitCommit()
    {
        try
        {
            var git = Path.Combine(Root, ".git");
            var head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal))
            {
                return head[..Math.Min(12, head.Length)];
            }

            var name = head[5..];
            var loose = Path.Combine(git, name);
            if (File.Exists(loose))
            {
                return File.ReadAllText(loose).Trim()[..12];
            }

            var packed = Path.Combine(git, "packed-refs");
            return File.Exists(packed)
                ? File.ReadLines(packed).FirstOrDefault(l => l.EndsWith(" " + name, StringComparison.Ordinal))?[..12]
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    static string FindRoot()
    {
        // From the binaries first; `dotnet run` from the repository also works from the current directory.
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Etter.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"Etter.sln not found above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}.");
    }
}
