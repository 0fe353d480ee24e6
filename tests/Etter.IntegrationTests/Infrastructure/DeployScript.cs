using System.Diagnostics;
using Etter.TestSupport;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>Runs a deploy/local script as an operator would, failing with its output when it fails.</summary>
public static class DeployScript
{
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "local", script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"{script} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}\n{await stderr}");
        }

        return output;
    }
}
