using System.Security.Cryptography;
using System.Text;
using Etter.AiAssessment.Engines.Scoring;
using Etter.Contracts;

namespace Etter.AiAssessment.Engines.Mock;

/// <summary>
/// A deterministic, instant stand-in for tests and demos: the split of every activity is derived from
/// a SHA-256 of company, role and activity text, so the same input always yields the same result.
/// Results are labelled <c>is_mock</c>; nothing about them says anything real about the role.
/// </summary>
public sealed class MockAssessmentEngine : IAssessmentEngine
{
    public const string EngineName = "mock";
    const string Version = "mock-1";

    public string Name => EngineName;

    public bool RunsInline => true;

    public Task<AssessmentResult> AssessAsync(AssessmentRequest request, Func<CancellationToken, Task>? heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var activities = WorkloadActivityParser.Parse(request.JobDescriptionMarkdown);
        if (activities.Count == 0)
        {
            // A JD without bullets still gets a (mock) row, so the mock never fails on odd formatting.
            activities = [new WorkloadActivity($"Perform the duties of {request.RoleName}", null, null)];
        }

        var classifications = activities
            .Select(a => Classify(request, a))
            .ToList();
        return Task.FromResult(AssessmentAggregator.Aggregate(classifications, EngineName, Version, isMock: true));
    }

    static ActivityClassification Classify(AssessmentRequest request, WorkloadActivity activity)
    {
        var seed = $"{request.CompanyId.Trim().ToUpperInvariant()}|{request.RoleName.Trim().ToUpperInvariant()}|{activity.Text}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var modes = Enum.GetValues<CollaborationMode>();
        var raw = modes.Select((_, i) => 1.0 + hash[i]).ToArray();
        var total = raw.Sum();
        var shares = modes.Select((m, i) => (m, share: raw[i] / total)).ToDictionary(x => x.m, x => x.share);
        return new ActivityClassification(activity, shares, "Mock split derived from a hash of the input; not a real assessment.");
    }
}
