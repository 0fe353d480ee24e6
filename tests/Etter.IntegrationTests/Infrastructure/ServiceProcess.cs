using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// One Etter service running as a real OS process (<c>dotnet Service.dll</c>), as in production. Output
/// goes to a log file under .etter/test-logs so a failing test can show what the service said.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly string _dll;
    readonly Dictionary<string, string> _environment;
    Process? _process;
    StreamWriter? _log;

    public ServiceProcess(string name, string dll, IDictionary<string, string> environment, string logDirectory)
    {
        Name = name;
        _dll = dll;
        Port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        _environment = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/'),
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        Directory.CreateDirectory(logDirectory);
        LogFile = Path.Combine(logDirectory, $"{name}.log");
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string LogFile { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The OS process id of the current run; a restart changes it.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>The service's /metrics in Prometheus text format.</summary>
    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    public void Start()
    {
        if (!File.Exists(_dll))
        {
            throw new FileNotFoundException($"{_dll} is not built. Build the solution first (deploy/local/test.sh does).", _dll);
        }

        var info = new ProcessStartInfo("dotnet", [_dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Etter__", StringComparison.Ordinal)).ToList())
        {
            // The test runner's own settings (exported by test.sh) must not leak into the scratch services.
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        _log ??= new StreamWriter(LogFile, append: true) { AutoFlush = true };
        _log.WriteLine($"----- start {DateTimeOffset.UtcNow:O} -----");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Waits until /health answers 200 (bus connected, database reachable).</summary>
    public async Task WaitHealthyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before becoming healthy. Log tail:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} did not become healthy ({last}). Log tail:\n{Tail()}");
    }

    /// <summary>SIGKILL, no shutdown hooks: what a crash or an OOM kill looks like.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public string Tail(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_environment)
        {
            _log?.WriteLine(line);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }
}
