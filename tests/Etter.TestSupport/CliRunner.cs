namespace Etter.TestSupport;

/// <summary>Runs the built <c>etter</c> CLI as a separate process, as a user would.</summary>
public static class CliRunner
{
    public static Task<ToolResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var dll = RepositoryPaths.ServiceDll("Etter.Cli", "etter");
        return ToolProcess.RunAsync("dotnet", [dll, .. args], timeout ?? TimeSpan.FromSeconds(120), workingDirectory ?? Path.GetTempPath(), variables =>
        {
            foreach (var key in variables.Keys.Where(k => k.StartsWith("Etter__", StringComparison.Ordinal)).ToList())
            {
                variables.Remove(key);
            }

            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                variables[key] = value;
            }
        });
    }
}
