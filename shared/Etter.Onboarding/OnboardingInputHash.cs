using System.Security.Cryptography;
using System.Text;
using Etter.Contracts;

namespace Etter.Onboarding;

/// <summary>
/// A fingerprint of what determines a role's result: its documents (type, name, uri, content) and its Draup
/// role. Two pushes with the same fingerprint would produce the same outcome, so the second can reuse the
/// first's result; a different fingerprint makes the older result stale.
/// </summary>
public static class OnboardingInputHash
{
    public static string Compute(OnboardRoleRequested request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        text.Append("draup:").Append(request.DraupRoleId?.Trim()).Append('|').Append(request.DraupRoleName?.Trim()).Append('\n');
        foreach (var document in request.Documents ?? [])
        {
            text.Append("doc:").Append(DocumentTypes.Normalize(document.Type)).Append('|')
                .Append(document.Name).Append('|').Append(document.Uri?.Trim()).Append('|')
                .Append(document.Content?.Replace("\r\n", "\n", StringComparison.Ordinal).Trim()).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
