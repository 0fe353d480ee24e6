namespace Etter.Contracts;

/// <summary>What became of a submitted role (<see cref="OnboardingAccepted.Outcome"/>).</summary>
public static class SubmissionOutcomes
{
    /// <summary>A new workflow was started (or queued for a slot) under the requested id.</summary>
    public const string Created = "created";

    /// <summary>The role already had a workflow in flight; that one is returned.</summary>
    public const string InFlight = "in_flight";

    /// <summary>The role is already onboarded with identical inputs; that result stands.</summary>
    public const string AlreadyReady = "already_ready";

    /// <summary>The request failed validation; the workflow ended as validation_error.</summary>
    public const string Invalid = "invalid";
}
