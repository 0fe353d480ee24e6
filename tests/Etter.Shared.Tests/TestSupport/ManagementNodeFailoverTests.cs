using System.Net;
using System.Net.Sockets;
using Etter.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Etter.Shared.Tests.TestSupport;

public sealed class ManagementNodeFailoverTests
{
    [Fact]
    public async Task FirstNodeDown_TheNextNodeAnswersAndIsAskedFirstAfterwards()
    {
        var asked = 0;
        await using var live = await LoopbackHttpServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref asked);
            await context.Response.WriteAsync("[]");
        });
        var deadPort = ClosedPort();
        var livePort = new Uri(live.Address).Port;
        using var client = new HttpClient(new ManagementNodeFailover([deadPort, livePort])) { BaseAddress = new Uri($"http://127.0.0.1:{deadPort}/api/") };

        Assert.Equal("[]", await client.GetStringAsync(new Uri("queues", UriKind.Relative)));
        Assert.Equal("[]", await client.GetStringAsync(new Uri("nodes", UriKind.Relative)));
        Assert.Equal(2, asked);
    }

    [Fact]
    public async Task EveryNodeDown_TheConnectionErrorSurfaces()
    {
        var port = ClosedPort();
        using var client = new HttpClient(new ManagementNodeFailover([port, ClosedPort()])) { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/") };

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(new Uri("queues", UriKind.Relative)));
    }

    /// <summary>A loopback port nothing listens on: bound, read and released.</summary>
    static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
