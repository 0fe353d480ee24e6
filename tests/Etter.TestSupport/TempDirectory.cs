namespace Etter.TestSupport;

/// <summary>A scratch folder per test, removed afterwards; keeps SQLite files of tests apart.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "etter-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold a WAL file open for a moment; the OS temp folder is cleaned eventually.
        }
    }
}
