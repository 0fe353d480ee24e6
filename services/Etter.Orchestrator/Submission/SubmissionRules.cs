using Etter.Onboarding;
using Etter.ReadModel;

namespace Etter.Orchestrator.Submission;

/// <summary>
/// Decides what a submitted role leads to, from the request and the facts read with it. Pure: the same inputs give
/// the same decision, so the preparer can ask it whether to claim a slot and the saga can ask it again to act.
/// </summary>
public static class SubmissionRules
{
    /// <param name="hasRequester">The request expects an answer (the API): a finished result with identical inputs is
    /// reused, one with other inputs is superseded. Published requests and the roles of a batch always run (as the old
    /// service did), whichever way they came.</param>
    public static SubmissionDecision Decide(OnboardRoleRequested request, SubmissionFacts facts, bool hasRequester)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(facts);
        if (OnboardingRequestValidator.Validate(request) is { } invalid)
        {
            return new SubmissionDecision.Invalid(invalid);
        }

        var forced = request.Options?.ForceRerun == true;
        if (!forced && facts.InFlight is { } inFlight)
        {
            return new SubmissionDecision.Duplicate(inFlight, SubmissionOutcomes.InFlight);
        }

        Guid? supersedes = null;
        if (!forced && hasRequester && request.BatchId is null && facts.LatestFinished is { } finished)
        {
            if (finished.State == WorkflowStates.Ready && OnboardingInputHash.Answers(finished.InputHash, request))
            {
                return new SubmissionDecision.Duplicate(finished, SubmissionOutcomes.AlreadyReady);
            }

            supersedes = finished.WorkflowId;
        }

        return request.Options?.Draft == true
            ? new SubmissionDecision.Draft(supersedes)
            : new SubmissionDecision.Start(facts.Slot, supersedes);
    }

    /// <summary>Whether the preparer should claim a slot: a new workflow would start and no one of its company waits.</summary>
    public static bool WantsSlot(OnboardRoleRequested request, SubmissionFacts facts, bool hasRequester)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return !facts.CompanyHasWaiting && Decide(request, facts, hasRequester) is SubmissionDecision.Start;
    }
}
