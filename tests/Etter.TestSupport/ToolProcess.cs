using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Etter.TestSupport;

/// <summary>How a command-line tool exited and what it printed.</summary>
public sealed record ToolResult(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// Runs a command-line tool (kubectl, docker, a deploy/local script, the etter CLI) to completion and
/// captures its output. Services, which keep running, are <see cref="ServiceProcess"/>es instead.
/// </summary>
public static class ToolProcess
{
    /// <summary>The full path of <paramref name="name"/> in a folder of PATH; null when it is not installed.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// Runs <paramref name="executable"/> and waits for it to exit. Throws <see cref="InvalidOperationException"/>
    /// when it cannot be started, and <see cref="TimeoutException"/> (after killing it) when it outlives
    /// <paramref name="timeout"/>; null waits for as long as it takes.
    /// </summary>
    /// <param name="environment">Edits the tool's environment, which starts as a copy of this process's.</param>
    public static async Task<ToolResult> RunAsync(
        string executable,
        IEnumerable<string> arguments,
        TimeSpan? timeout = null,
        string? workingDirectory = null,
        Action<IDictionary<string, string?>>? environment = null)
    {
        var args = arguments.ToList();
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        environment?.Invoke(info.Environment);

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run {executable}: {e.Message}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                var errors = await stderr;
                throw new TimeoutException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{Path.GetFileName(executable)} {string.Join(' ', args)} did not finish within {timeout!.Value.TotalSeconds:0} s. stderr: {errors}"));
            }

            return new ToolResult(process.ExitCode, await stdout, await stderr);
        }
    }
}
