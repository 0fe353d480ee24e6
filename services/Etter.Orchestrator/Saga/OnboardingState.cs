using MassTransit;

namespace Etter.Orchestrator.Saga;

/// <summary>
/// The persisted state of one role-onboarding workflow: data only, one row per workflow. The correlation id is the
/// workflow id. What changes it lives in <see cref="Changes"/>; what decides lives in <see cref="Decisions"/>.
/// </summary>
public sealed class OnboardingState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }

    /// <summary>Optimistic-concurrency token, bumped by the repository on every write.</summary>
    public int Version { get; set; }

    public string CurrentState { get; set; } = "";

    /// <summary>Increments on every published status change; projections keep the highest they saw.</summary>
    public long Revision { get; set; }

    /// <summary>The status last published, so the next change can say where it came from.</summary>
    public string? LastPublishedStatus { get; set; }

    public string CompanyId { get; set; } = "";

    public string RoleName { get; set; } = "";

    /// <summary>The company role's deterministic id, known from the start; finds a role's workflows.</summary>
    public string RoleKey { get; set; } = "";

    /// <summary>
    /// <see cref="RoleKey"/> while this workflow is the role's one in flight (not when forced to run beside another);
    /// a unique index makes the database refuse a second.
    /// </summary>
    public string? InFlightKey { get; set; }

    public string? DraupRoleId { get; set; }

    public string? DraupRoleName { get; set; }

    public string? RequestedBy { get; set; }

    public string? BatchId { get; set; }

    /// <summary>The original request's documents and options as JSON, kept so a retry re-runs with the same inputs.</summary>
    public string RequestJson { get; set; } = "{}";

    /// <summary>Fingerprint of the inputs; a re-push with the same one can reuse this result.</summary>
    public string? InputHash { get; set; }

    /// <summary>The assessment engine asked for; null means the AiAssessment service's default.</summary>
    public string? AssessmentEngine { get; set; }

    /// <summary>W3C traceparent of the request, so work started later (admission) joins the workflow's trace.</summary>
    public string? TraceParent { get; set; }

    public string? RoleId { get; set; }

    public string? JobDescriptionTitle { get; set; }

    public string? JobDescriptionMarkdown { get; set; }

    public string? JobDescriptionSource { get; set; }

    public double? FinalScore { get; set; }

    public string? AssessmentJson { get; set; }

    /// <summary>The step running or last run; null before any step was sent.</summary>
    public string? CurrentStep { get; set; }

    public StepState RoleSetup { get; set; } = new();

    public StepState AiAssessment { get; set; } = new();

    public Deadlines Deadlines { get; set; } = new();

    /// <summary>The earliest of <see cref="Deadlines"/>: what the sweeper indexes and polls.</summary>
    public DateTimeOffset? NextDeadlineAt { get; set; }

    /// <summary>The error that ended the workflow (Failed, ValidationError), if any.</summary>
    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public bool? ErrorRecoverable { get; set; }

    public string? FailedStep { get; set; }

    public DateTimeOffset QueuedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Queued but not yet given one of its company's slots; <see cref="PendingStep"/> starts when it is.</summary>
    public bool AwaitingAdmission { get; set; }

    /// <summary>The step to send once admitted.</summary>
    public string? PendingStep { get; set; }

    /// <summary>When the workflow got its company slot (at the request, or later from the admission controller).</summary>
    public DateTimeOffset? AdmittedAt { get; set; }

    /// <summary>The company slot held while the workflow is active; given back when it finishes.</summary>
    public int? AdmissionSlot { get; set; }

    public string? CancelReason { get; set; }

    /// <summary>The newer workflow that replaced this one, when it is stale.</summary>
    public Guid? SupersededBy { get; set; }

    /// <summary>The workflow that does the work, when this one arrived while it was in flight.</summary>
    public Guid? DuplicateOf { get; set; }
}
