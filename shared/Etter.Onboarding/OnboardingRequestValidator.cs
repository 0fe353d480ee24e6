using Etter.Contracts;

namespace Etter.Onboarding;

/// <summary>
/// Semantic checks of a push, shared by the API (which answers 400) and the saga (which ends in
/// ValidationError), because plain-JSON publishers reach the saga without passing the API.
/// </summary>
public static class OnboardingRequestValidator
{
    public const int MaxCompanyLength = 200;
    public const int MaxRoleNameLength = 300;
    public const int MaxDraupRoleIdLength = 128;
    public const int MaxDraupRoleNameLength = 256;
    public const int MaxRequestedByLength = 256;

    /// <summary>A cancel's reason, checked by the API; the saga keeps at most this much of a publisher's.</summary>
    public const int MaxCancelReasonLength = 512;
    public const int MaxDocuments = 20;
    public const int DefaultMaxInlineContentBytes = 1024 * 1024;

    /// <summary>Returns the first problem found, or null when the request is valid.</summary>
    public static OnboardingError? Validate(OnboardRoleRequested request, int maxInlineContentBytes = DefaultMaxInlineContentBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problem = Check(request, maxInlineContentBytes);
        return problem is null
            ? null
            : new OnboardingError { Code = ErrorCodes.ValidationError, Message = problem, Recoverable = false };
    }

    static string? Check(OnboardRoleRequested request, int maxInlineContentBytes)
    {
        if (request.WorkflowId == Guid.Empty)
        {
            return "workflowId must be a non-empty GUID.";
        }

        if (string.IsNullOrWhiteSpace(request.CompanyId))
        {
            return "company_id must not be blank.";
        }

        if (request.CompanyId.Trim().Length > MaxCompanyLength)
        {
            return $"company_id must be at most {MaxCompanyLength} characters.";
        }

        if (string.IsNullOrWhiteSpace(request.RoleName))
        {
            return "role_name must not be blank.";
        }

        if (request.RoleName.Trim().Length > MaxRoleNameLength)
        {
            return $"role_name must be at most {MaxRoleNameLength} characters.";
        }

        // Bounded like the columns that keep them, so a valid request is never refused by the database later on.
        if (request.DraupRoleId is { Length: > MaxDraupRoleIdLength })
        {
            return $"draup_role_id must be at most {MaxDraupRoleIdLength} characters.";
        }

        if (request.DraupRoleName is { Length: > MaxDraupRoleNameLength })
        {
            return $"draup_role_name must be at most {MaxDraupRoleNameLength} characters.";
        }

        if (request.RequestedBy is { Length: > MaxRequestedByLength })
        {
            return $"created_by (requestedBy) must be at most {MaxRequestedByLength} characters.";
        }

        var documents = request.Documents ?? [];
        if (documents.Count > MaxDocuments)
        {
            return $"At most {MaxDocuments} documents can be attached to one role.";
        }

        for (var i = 0; i < documents.Count; i++)
        {
            var problem = CheckDocument(documents[i], i, maxInlineContentBytes);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    static string? CheckDocument(RoleDocument? document, int index, int maxInlineContentBytes)
    {
        if (document is null)
        {
            return $"documents[{index}] must not be null.";
        }

        var hasContent = !string.IsNullOrWhiteSpace(document.Content);
        var hasUri = !string.IsNullOrWhiteSpace(document.Uri);
        if (!hasContent && !hasUri)
        {
            return $"documents[{index}] needs either content or a uri.";
        }

        if (hasContent && System.Text.Encoding.UTF8.GetByteCount(document.Content!) > maxInlineContentBytes)
        {
            return $"documents[{index}].content is larger than the {maxInlineContentBytes} byte limit.";
        }

        if (hasUri && !IsHttpUri(document.Uri!))
        {
            return $"documents[{index}].uri must be an absolute http or https URL.";
        }

        return null;
    }

    static bool IsHttpUri(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
