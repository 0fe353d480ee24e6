namespace Etter.Contracts;

/// <summary>A point-in-time view of a workflow, as the saga holds it.</summary>
public sealed record OnboardingStatus
{
    public Guid WorkflowId { get; init; }

    /// <summary>Increases with every change, so projections can drop stale updates.</summary>
    public long Revision { get; init; }

    /// <summary>One of <see cref="OnboardingStatuses"/>.</summary>
    public string Status { get; init; } = "";

    public string CompanyId { get; init; } = "";

    public string RoleName { get; init; } = "";

    public string? RoleId { get; init; }

    public string? DraupRoleName { get; init; }

    public string? BatchId { get; init; }

    public string? RequestedBy { get; init; }

    /// <summary>The step running or last run; null before any step started.</summary>
    public string? CurrentStep { get; init; }

    public IReadOnlyList<StepStatus> Steps { get; init; } = [];

    public DateTimeOffset QueuedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The error that ended the workflow (Failed / ValidationError), if any.</summary>
    public OnboardingError? Error { get; init; }

    public string? FailedStep { get; init; }

    public double? FinalScore { get; init; }

    /// <summary>When a failed attempt will be retried, while the workflow waits to retry.</summary>
    public DateTimeOffset? NextRetryAt { get; init; }

    public string? CancelReason { get; init; }

    /// <summary>Fingerprint of the inputs (documents, Draup role); equal fingerprints give equal results.</summary>
    public string? InputHash { get; init; }

    /// <summary>The newer workflow that replaced this one, when it is stale.</summary>
    public Guid? SupersededBy { get; init; }

    /// <summary>The in-flight workflow for the same role that does the work, when this one is a duplicate.</summary>
    public Guid? DuplicateOf { get; init; }

    public AssessmentResult? Assessment { get; init; }
}
