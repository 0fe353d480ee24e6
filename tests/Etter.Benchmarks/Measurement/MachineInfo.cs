using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Etter.Benchmarks.Measurement;

/// <summary>What the figures were measured on.</summary>
public sealed record MachineInfo(
    int Cores,
    string? CpuModel,
    double? MemoryGiB,
    string Os,
    string Kernel,
    string Runtime,
    string? SdkVersion,
    string GcMode,
    string Hostname)
{
    public static MachineInfo Collect() => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        ProcFs.MemTotalGiB(),
        OsName(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ReadSdkVersion(),
        System.Runtime.GCSettings.IsServerGC ? "server" : "workstation",
        Environment.MachineName);

    static string? ReadCpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    static string OsName()
    {
        try
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null)
            {
                return pretty["PRETTY_NAME=".Length..].Trim('"');
            }
        }
        catch (IOException)
        {
            // fall through
        }

        return RuntimeInformation.OSDescription;
    }

    static string? ReadSdkVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dotnet", "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            return process.WaitForExit(10_000) && process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
