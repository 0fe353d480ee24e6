using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Etter.Onboarding;

/// <summary>
/// The company role's id: a name-based UUID (RFC 9562 version 5, SHA-1) in our own namespace over
/// <c>normalize(company) + "\n" + normalize(role)</c>, where normalize trims, collapses inner whitespace
/// and lower-cases (invariant). The same company and role always map to the same id, on any machine,
/// so retries and re-pushes upsert instead of duplicating.
/// </summary>
public static partial class CompanyRoleId
{
    /// <summary>The namespace UUID of Etter company roles. Never change it: ids would change with it.</summary>
    public static readonly Guid Namespace = new("6f1d2c84-3b0e-5a7f-9c41-2e8d5b7a9f10");

    public static string For(string companyName, string roleName) =>
        NameBasedGuid(Namespace, $"{Normalize(companyName)}\n{Normalize(roleName)}").ToString();

    public static string Normalize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Whitespace().Replace(value.Trim(), " ").ToLowerInvariant();
    }

    static Guid NameBasedGuid(Guid namespaceId, string name)
    {
        Span<byte> namespaceBytes = stackalloc byte[16];
        namespaceId.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var buffer = new byte[16 + nameBytes.Length];
        namespaceBytes.CopyTo(buffer);
        nameBytes.CopyTo(buffer, 16);

#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version-5 UUIDs; it is an identifier, not a security boundary.
        var hash = SHA1.HashData(buffer);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
