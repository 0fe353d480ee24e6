using System.Globalization;

namespace Etter.Benchmarks.Measurement;

/// <summary>Reads process and machine figures from Linux /proc (nothing is reported on other systems).</summary>
public static class ProcFs
{
    /// <summary>Clock ticks per second of /proc/*/stat times; 100 on every Linux we run on.</summary>
    const double TicksPerSecond = 100.0;

    public sealed record Memory(double RssMiB, double PeakRssMiB);

    /// <summary>VmRSS (resident now) and VmHWM (peak resident since start) of a process, or null when it is gone.</summary>
    public static Memory? ReadMemory(int pid)
    {
        try
        {
            double rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = KiB(line) / 1024.0;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = KiB(line) / 1024.0;
                }
            }

            return new Memory(Math.Round(rss, 1), Math.Round(hwm, 1));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>User + system CPU seconds a process has used, or null when it is gone.</summary>
    public static double? ReadCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

            // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
            var utime = double.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = double.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Busy and total jiffies of all CPUs (first line of /proc/stat).</summary>
    public static (double Busy, double Total)? ReadMachineCpu()
    {
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            var values = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            var total = values.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>CPU seconds used so far by every process whose name (comm) is one of <paramref name="names"/>, per pid.</summary>
    public static Dictionary<int, (string Name, double CpuSeconds)> ReadCpuByName(IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var found = new Dictionary<int, (string, double)>();
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories("/proc");
        }
        catch (IOException)
        {
            return found;
        }

        foreach (var directory in directories)
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var comm = stat[(open + 1)..close];
                if (!names.Contains(comm))
                {
                    continue;
                }

                var fields = stat[(close + 2)..].Split(' ');
                var cpu = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                found[pid] = (comm, cpu);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // the process ended while we looked
            }
        }

        return found;
    }

    /// <summary>The 1-minute load average.</summary>
    public static double? LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            return null;
        }
    }

    public static double? MemTotalGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return line is null ? null : Math.Round(KiB(line) / 1024.0 / 1024.0, 1);
        }
        catch (IOException)
        {
            return null;
        }
    }

    static double KiB(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }
}
