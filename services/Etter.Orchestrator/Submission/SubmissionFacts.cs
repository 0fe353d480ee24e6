namespace Etter.Orchestrator.Submission;

/// <summary>
/// What the database says about a submitted role, read in the saga's own transaction before it decides
/// (<see cref="SubmissionPreparer"/>); the decision itself is <see cref="SubmissionRules.Decide"/>.
/// </summary>
public sealed record SubmissionFacts
{
    /// <summary>The role's workflow in flight (holding its in-flight claim), other than the one deciding.</summary>
    public ExistingWorkflow? InFlight { get; init; }

    /// <summary>The role's newest finished (ready or degraded) workflow.</summary>
    public ExistingWorkflow? LatestFinished { get; init; }

    /// <summary>Other workflows of the company are waiting for a slot: a newcomer queues behind them.</summary>
    public bool CompanyHasWaiting { get; init; }

    /// <summary>The company slot claimed for this workflow, when it wanted one and one was free.</summary>
    public int? Slot { get; init; }

    /// <summary>Set when the saga takes <see cref="Slot"/>; a slot not taken is given back before the commit.</summary>
    public bool SlotTaken { get; set; }

    public static SubmissionFacts None { get; } = new();
}

/// <summary>Another workflow of the same role: the one in flight, or the newest finished one (reuse or stale detection).</summary>
/// <param name="State">Its saga state name.</param>
public sealed record ExistingWorkflow(Guid WorkflowId, string State, string? InputHash, string? RoleId);
