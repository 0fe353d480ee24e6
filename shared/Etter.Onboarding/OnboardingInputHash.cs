using System.Security.Cryptography;
using System.Text;
using Etter.Contracts;

namespace Etter.Onboarding;

/// <summary>
/// A fingerprint of what determines a role's result: its documents (type, name, uri, content), its Draup role and
/// whether the mock engine scores it. Two pushes with the same fingerprint would produce the same outcome, so the
/// second can reuse the first's result; a different fingerprint makes the older result stale.
/// </summary>
public static class OnboardingInputHash
{
    public static string Compute(OnboardRoleRequested request) => Compute(request, request?.Options?.UseMockAssessment == true);

    /// <summary>
    /// Whether a ready result with <paramref name="finishedHash"/> answers <paramref name="request"/>. A mock result
    /// never stands in for a real assessment; a real one does answer a mock push, which then neither reruns the role
    /// nor makes the real result stale.
    /// </summary>
    public static bool Answers(string? finishedHash, OnboardRoleRequested request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return finishedHash == Compute(request)
            || (request.Options?.UseMockAssessment == true && finishedHash == Compute(request, mock: false));
    }

    static string Compute(OnboardRoleRequested request, bool mock)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();

        // Marked only when mock, so fingerprints of real results recorded before the engine counted stay the same.
        if (mock)
        {
            text.Append("engine:mock\n");
        }

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
