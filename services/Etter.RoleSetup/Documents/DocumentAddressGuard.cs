using System.Net;
using System.Net.Sockets;

namespace Etter.RoleSetup.Documents;

/// <summary>
/// The SSRF rule for document fetching: which hosts and addresses a fetch may connect to. Public unicast
/// addresses are fine; loopback, private, link-local, carrier-grade NAT, unspecified, multicast, broadcast,
/// reserved and documentation-free special ranges are refused, and so are IPv6 forms that carry such an IPv4
/// address (IPv4-mapped <c>::ffff:a.b.c.d</c>, IPv4-compatible <c>::a.b.c.d</c>, NAT64 <c>64:ff9b::/96</c>,
/// 6to4 <c>2002::/16</c>) — unless <see cref="DocumentFetchOptions.AllowedHosts"/> names the host or a range
/// holding the address.
/// </summary>
/// <remarks>
/// The check that matters runs on the address actually dialled (see <see cref="DocumentFetcher"/>'s connect
/// callback), after name resolution, so a name that resolves to a public address at one moment and to a private
/// one the next (DNS rebinding) gains nothing.
/// </remarks>
public sealed class DocumentAddressGuard
{
    static readonly (IPNetwork Network, string Reason)[] Forbidden =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified ('this network') address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT (shared) address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol-assignment address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved or broadcast address"),
        (IPNetwork.Parse("::/128"), "the unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("::/96"), "an IPv4-compatible address"),
        (IPNetwork.Parse("100::/64"), "a discard-only address"),
        (IPNetwork.Parse("fc00::/7"), "a private (unique local) address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    readonly List<IPNetwork> _allowedNetworks = [];
    readonly HashSet<string> _allowedHosts = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> _allowedDomainSuffixes = [];

    public DocumentAddressGuard(IEnumerable<string>? allowedHosts)
    {
        foreach (var entry in allowedHosts ?? [])
        {
            if (!TryParseEntry(entry, out var parsed, out var problem))
            {
                throw new ArgumentException($"Allowed host entry '{entry}' is not usable: {problem}", nameof(allowedHosts));
            }

            switch (parsed)
            {
                case IPNetwork network:
                    _allowedNetworks.Add(network);
                    break;
                case string suffix when suffix.StartsWith('.'):
                    _allowedDomainSuffixes.Add(suffix);
                    break;
                case string host:
                    _allowedHosts.Add(host);
                    break;
            }
        }
    }

    /// <summary>
    /// Reads one allow-list entry: a CIDR range or single address becomes an <see cref="IPNetwork"/>, a host name
    /// its normalized form, and <c>*.example.com</c> the suffix <c>.example.com</c>.
    /// </summary>
    public static bool TryParseEntry(string? entry, out object parsed, out string problem)
    {
        parsed = "";
        problem = "";
        var text = entry?.Trim() ?? "";
        if (text.Length == 0)
        {
            problem = "it is empty.";
            return false;
        }

        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (!IPNetwork.TryParse(text, out var network))
            {
                problem = "it is not a CIDR range such as 10.20.0.0/16.";
                return false;
            }

            // A range written with host bits set (10.0.0.1/8) is most likely a typo: say so rather than widen it silently.
            if (!IPAddress.TryParse(text.Split('/', 2)[0].Trim('[', ']'), out var written) || !written.Equals(network.BaseAddress))
            {
                problem = $"the address has bits set past the prefix; did you mean {network}?";
                return false;
            }

            parsed = Normalize(network);
            return true;
        }

        if (IPAddress.TryParse(text.Trim('[', ']'), out var address))
        {
            address = Unwrap(address);
            parsed = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        var host = NormalizeHost(wildcard ? text[2..] : text);
        if (host.Length == 0 || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            problem = "it is neither a host name, an address nor a CIDR range.";
            return false;
        }

        parsed = wildcard ? "." + host : host;
        return true;
    }

    /// <summary>True when the host name itself is allow-listed (then every address it resolves to may be used).</summary>
    public bool IsHostAllowed(string host)
    {
        var name = NormalizeHost(host);
        return _allowedHosts.Contains(name)
            || _allowedDomainSuffixes.Exists(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Null when <paramref name="host"/> may be reached at <paramref name="address"/>; otherwise why not.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        if (IsHostAllowed(host))
        {
            return null;
        }

        var candidates = Candidates(address);
        if (candidates.Any(candidate => _allowedNetworks.Exists(n => n.Contains(candidate))))
        {
            return null;
        }

        foreach (var candidate in candidates)
        {
            foreach (var (network, reason) in Forbidden)
            {
                if (network.Contains(candidate))
                {
                    return candidate.Equals(address) ? reason : $"{reason} (inside {address})";
                }
            }
        }

        return null;
    }

    /// <summary>The address itself (IPv4-mapped unwrapped) and any IPv4 address an IPv6 transition form embeds.</summary>
    static List<IPAddress> Candidates(IPAddress address)
    {
        var unwrapped = Unwrap(address);
        var candidates = new List<IPAddress> { unwrapped };
        if (unwrapped.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = unwrapped.GetAddressBytes();
            if (Nat64.Contains(unwrapped))
            {
                candidates.Add(new IPAddress(bytes.AsSpan(12, 4)));
            }
            else if (SixToFour.Contains(unwrapped))
            {
                candidates.Add(new IPAddress(bytes.AsSpan(2, 4)));
            }
        }

        return candidates;
    }

    static IPAddress Unwrap(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        // A scope id (fe80::1%eth0) does not change which range the address is in.
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }

    static IPNetwork Normalize(IPNetwork network) =>
        network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96
            ? new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96)
            : network;

    static string NormalizeHost(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
