namespace Etter.Contracts;

/// <summary>The workflow states as they appear on the wire (lower snake case).</summary>
public static class OnboardingStatuses
{
    public const string Draft = "draft";
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string ValidationError = "validation_error";
    public const string Degraded = "degraded";
    public const string Cancelled = "cancelled";

    /// <summary>Another workflow for the same role was already in flight; <c>duplicateOf</c> names it, and it does the work.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Finished, but superseded by a newer workflow for the same role with different inputs.</summary>
    public const string Stale = "stale";

    public static bool IsTerminal(string status) =>
        status is Ready or Failed or ValidationError or Degraded or Cancelled or Stale or Duplicate;
}
