using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Etter.TestSupport;

/// <summary>
/// Ports for servers a test starts as separate processes (our services, a private Redis), which bind them only
/// seconds later. A port the kernel handed out for "any free port" lies in its ephemeral range, so in that window
/// an outgoing connection or another bind to port 0 anywhere on the machine can take it (seen in CI: a service
/// failed to start with "address already in use"). Ports here come from a range below the ephemeral one and
/// clear of deploy/local's fixed ports, and are claimed with a lock file held until this process exits, so test
/// processes running side by side never pick the same one.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>Below Linux's default ephemeral range (32768-60999) and deploy/local's ports (25672, 25680-25683 above; 15xxx below).</summary>
    public const int First = 20000;

    public const int Last = 24999;

    static readonly ConcurrentDictionary<int, FileStream> Claims = new();

    static string LockDirectory => Path.Combine(Path.GetTempPath(), "etter-test-ports");

    /// <summary>A port in [<see cref="First"/>, <see cref="Last"/>] that nothing listens on and no test process holds.</summary>
    public static int Claim()
    {
        var start = Random.Shared.Next(First, Last + 1);
        var count = Last - First + 1;
        return Claim(Enumerable.Range(0, count).Select(i => First + ((start - First + i) % count)));
    }

    /// <summary>The first of <paramref name="candidates"/> that is free and unclaimed, now claimed by this process.</summary>
    public static int Claim(IEnumerable<int> candidates)
    {
        Directory.CreateDirectory(LockDirectory);
        foreach (var port in candidates)
        {
            if (Claims.ContainsKey(port) || !TryLock(port, out var lockFile))
            {
                continue;
            }

            if (IsBindable(port) && Claims.TryAdd(port, lockFile))
            {
                return port;
            }

            lockFile.Dispose();
        }

        throw new InvalidOperationException($"No free loopback port left among the candidates (locks in {LockDirectory}).");
    }

    /// <summary>
    /// .NET takes an advisory flock for FileShare.None on Unix; the kernel drops it when the process dies, so a
    /// crashed test run leaves nothing claimed.
    /// </summary>
    static bool TryLock(int port, out FileStream lockFile)
    {
        try
        {
            lockFile = new FileStream(
                Path.Combine(LockDirectory, port.ToString(CultureInfo.InvariantCulture) + ".lock"),
                FileMode.OpenOrCreate,
                FileAccess.ReadWrite,
                FileShare.None);
            return true;
        }
        catch (IOException)
        {
            lockFile = null!;
            return false;
        }
    }

    static bool IsBindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
