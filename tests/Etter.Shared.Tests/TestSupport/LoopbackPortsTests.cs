using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Etter.TestSupport;

namespace Etter.Shared.Tests.TestSupport;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void ManyClaims_AreDistinctAndOutsideTheKernelsEphemeralRange()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => LoopbackPorts.Claim()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, LoopbackPorts.First, LoopbackPorts.Last));
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        Assert.True(File.Exists(range), "CI runs on Linux, where the ephemeral range is readable");
        var low = int.Parse(File.ReadAllText(range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        Assert.True(LoopbackPorts.Last < low, $"the claim range ends at {LoopbackPorts.Last}, the kernel hands out ports from {low}");
    }

    [Fact]
    public void PortLockedByAnotherTestProcess_IsPassedOver()
    {
        var (port, heldLock) = LockAnUnclaimedPort();
        using (heldLock)
        {
            var claimed = LoopbackPorts.Claim(Candidates(port));

            Assert.NotEqual(port, claimed);
        }
    }

    [Fact]
    public void PortSomethingListensOn_IsPassedOver()
    {
        var (port, heldLock) = LockAnUnclaimedPort();
        heldLock.Dispose();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();

        var claimed = LoopbackPorts.Claim(Candidates(port));

        Assert.NotEqual(port, claimed);
    }

    /// <summary><paramref name="first"/>, then the rest of the range after it.</summary>
    static IEnumerable<int> Candidates(int first) =>
        Enumerable.Range(first, LoopbackPorts.Last - first + 1).Concat(Enumerable.Range(LoopbackPorts.First, first - LoopbackPorts.First));

    /// <summary>A port of the range whose lock file this test holds the way another test process would.</summary>
    static (int Port, FileStream Lock) LockAnUnclaimedPort()
    {
        var directory = Path.Combine(Path.GetTempPath(), "etter-test-ports");
        Directory.CreateDirectory(directory);
        for (var port = LoopbackPorts.Last; port >= LoopbackPorts.First; port--)
        {
            try
            {
                var file = new FileStream(Path.Combine(directory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return (port, file);
            }
            catch (IOException)
            {
                // held by this process's own claims or another test process: try the next one
            }
        }

        throw new InvalidOperationException("every port of the range is locked");
    }
}
