namespace Etter.TestSupport;

/// <summary>Runs a deploy/local script as an operator would, failing with its output when it fails.</summary>
public static class DeployScript
{
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var result = await ToolProcess.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "local", script), .. arguments]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.StdOut}\n{result.StdErr}");
        }

        return result.StdOut;
    }
}
