using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Etter.TestSupport;

/// <summary>
/// One Etter service as a real OS process, started as <c>deploy/local/up.sh</c> starts it: through
/// <c>deploy/local/run-service.sh</c>, which sets the environment every local run shares and execs
/// <c>dotnet Service.dll</c> (so <see cref="Pid"/> is the service's own). Its output goes to a log file, each line
/// prefixed with the UTC time it arrived (flushed per line, so a failing test or a reader of the file sees
/// everything); error lines ("fail:"/"crit:"), retried messages and all lines are counted.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly string _service;
    readonly Dictionary<string, string> _environment;
    readonly Lock _logLock = new();
    Process? _process;
    StreamWriter? _log;
    long _errorLines;
    long _lines;
    long _retryLines;

    /// <param name="name">The instance's name, also its log file's.</param>
    /// <param name="service">
    /// A built service .dll (e.g. <see cref="RepositoryPaths.ServiceDll"/>), or a service name that run-service.sh
    /// knows (<c>api</c>, <c>orchestrator</c>, ...: the Release build up.sh makes).
    /// </param>
    /// <param name="environment">The service's settings; the caller's own <c>Etter__*</c> variables are not passed on.</param>
    /// <param name="logDirectory">Where the log file goes.</param>
    public ServiceProcess(string name, string service, IDictionary<string, string> environment, string logDirectory)
    {
        Name = name;
        _service = service;
        Port = LoopbackPorts.Claim();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        _environment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        Directory.CreateDirectory(logDirectory);
        LogFile = Path.Combine(logDirectory, $"{name.Replace('#', '-')}.log");
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string LogFile { get; }

    /// <summary>The OS process id while it runs; null once it has exited.</summary>
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The OS process id of the current run, exited or not; a restart changes it.</summary>
    public int? ProcessId => _process?.Id;

    public bool IsRunning => _process is { HasExited: false };

    public long ErrorLines => Interlocked.Read(ref _errorLines);

    public long LogLines => Interlocked.Read(ref _lines);

    /// <summary>MassTransit's "R-RETRY" lines: a message handled again by the endpoint's retry policy (e.g. a lost optimistic-concurrency race).</summary>
    public long RetryLines => Interlocked.Read(ref _retryLines);

    /// <summary>The service's /metrics in Prometheus text format.</summary>
    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    /// <summary>
    /// How run-service.sh is started for <paramref name="service"/> (a .dll path or a service name) on
    /// <paramref name="port"/> (0: any free one), output redirected, without the caller's <c>Etter__*</c> variables:
    /// test.sh and bench.sh export the shared servers' settings, which must not leak into scratch services.
    /// </summary>
    public static ProcessStartInfo CreateStartInfo(string service, int port)
    {
        if (service.EndsWith(".dll", StringComparison.Ordinal) && !File.Exists(service))
        {
            throw new FileNotFoundException($"{service} is not built. Build first: dotnet build Etter.sln -c {RepositoryPaths.Configuration} (deploy/local/test.sh and bench.sh do).", service);
        }

        var info = new ProcessStartInfo("bash", [RepositoryPaths.RunServiceScript, service, "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Etter__", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        return info;
    }

    public void Start()
    {
        var info = CreateStartInfo(_service, Port);
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        _log ??= new StreamWriter(LogFile, append: true) { AutoFlush = true };
        WriteLog($"----- start {DateTimeOffset.UtcNow:O} -----");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Waits until /health answers 200 (bus connected, database reachable).</summary>
    public async Task WaitHealthyAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before becoming healthy. Log tail:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = ex.Message;
            }

            await Task.Delay(200, cancellationToken);
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
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
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

        Interlocked.Increment(ref _lines);
        if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _errorLines);
        }
        else if (line.Contains("R-RETRY", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _retryLines);
        }

        // The services log without timestamps (a log collector adds them in production); in a test's log file the
        // time each line arrived is what shows how long a start, a restart or a stall took.
        var stamped = $"{DateTime.UtcNow:HH:mm:ss.fff} {line}";
        lock (_logLock)
        {
            _log?.WriteLine(stamped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        StreamWriter? log;
        lock (_logLock)
        {
            log = _log;
            _log = null;
        }

        if (log is not null)
        {
            await log.DisposeAsync();
        }
    }
}
