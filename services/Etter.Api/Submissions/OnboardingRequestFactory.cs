using Etter.Api.Pipeline;
using Etter.Contracts;
using MassTransit;

namespace Etter.Api.Submissions;

/// <summary>Turns a pushed role (single or in a batch) into the workflow's entry message, with a fresh workflow id.</summary>
public static class OnboardingRequestFactory
{
    public static OnboardRoleRequested FromPush(PushRequest body, bool useMock, DateTimeOffset now, string requestedBy)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new()
        {
            WorkflowId = NewId.NextGuid(),
            CompanyId = body.CompanyId!.Trim(),
            RoleName = body.RoleName!.Trim(),
            // A null entry stays null, so the validator refuses it by its position as it does for plain-JSON publishers.
            Documents = body.Documents?.Select(d => d is null ? null! : new RoleDocument
            {
                Type = DocumentTypes.Normalize(d.Type),
                Uri = d.Uri,
                Content = d.Content,
                Name = d.Name,
                Metadata = d.Metadata,
            }).ToList(),
            DraupRoleId = body.DraupRoleId,
            DraupRoleName = body.DraupRoleName,
            Options = new OnboardingOptions
            {
                UseMockAssessment = useMock,
                ForceRerun = body.Options?.ForceRerun ?? false,
                NotifyOnComplete = body.Options?.NotifyOnComplete ?? true,
                SkipEnhancementWorkflows = body.Options?.SkipEnhancementWorkflows ?? false,
                Draft = body.Options?.Draft ?? false,
            },
            RequestedBy = requestedBy,
            RequestedAt = now,
        };
    }
}
