using System.Net;
using System.Net.Sockets;
using Etter.TestSupport;

namespace Etter.Cli.Tests;

/// <summary>Distributed mode without servers: one line saying what is wrong and exit code 6, never a crash with a stack trace.</summary>
public sealed class DistributedModeErrorTests
{
    [Fact]
    public async Task DistributedWithoutServerSettings_ExitsUnavailableNamingTheSettings()
    {
        // CliRunner clears every Etter__ variable of this process, so no settings reach the CLI.
        var result = await CliRunner.RunAsync(["onboard", "--company", "Acme Corporation", "--role", "Clerk", "--mock", "--mode", "distributed"]);

        Assert.Equal(ExitCodes.ServersUnavailable, result.ExitCode);
        Assert.Contains("error: nothing was sent: distributed mode needs the servers' settings", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("Etter:RabbitMq", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DistributedWithNoBrokerListening_ExitsUnavailableWithinTheWaitAndWithoutStackTraces()
    {
        var environment = new Dictionary<string, string>
        {
            ["Etter__RabbitMq__Host"] = "127.0.0.1",
            ["Etter__RabbitMq__Port"] = UnusedLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Etter__RabbitMq__Username"] = "nobody",
            ["Etter__RabbitMq__Password"] = "not-a-secret",
        };

        var result = await CliRunner.RunAsync(["status", Guid.NewGuid().ToString(), "--mode", "distributed"], environment, timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.ServersUnavailable, result.ExitCode);
        Assert.Contains("error: nothing was sent: could not connect to the message broker", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>A loopback port nothing listens on: bound by the system, then released.</summary>
    static int UnusedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
