using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Etter.TestSupport;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// A Redis server of the test's own (Debian's redis-server, installed by deploy/local), so a test can stop
/// and restart it without touching the shared one.
/// </summary>
public sealed class PrivateRedis : IAsyncDisposable
{
    Process? _process;

    public PrivateRedis()
    {
        Port = LoopbackPorts.Claim();
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("redis-server", ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"redis-server is not installed. {InfrastructureSettings.HowToStart}", ex);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"private redis-server on port {Port} did not start.");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
