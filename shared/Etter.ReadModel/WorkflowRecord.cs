namespace Etter.ReadModel;

/// <summary>
/// The columns of one <c>onboarding_state</c> row that listings filter and sort on, plus the status document the
/// orchestrator keeps on the row. The orchestrator owns the table; this side only reads it.
/// </summary>
public sealed class WorkflowRecord
{
    public Guid WorkflowId { get; init; }

    /// <summary>The saga's state name, e.g. <c>Queued</c> (see <see cref="WorkflowStates"/>).</summary>
    public string CurrentState { get; init; } = "";

    public string CompanyId { get; init; } = "";

    public string RoleName { get; init; } = "";

    public string RoleKey { get; init; } = "";

    public string? BatchId { get; init; }

    public string? FailedStep { get; init; }

    public DateTimeOffset QueuedAt { get; init; }

    public bool AwaitingAdmission { get; init; }

    public DateTimeOffset? AdmittedAt { get; init; }

    /// <summary>The workflow's status as of its last change (<see cref="StatusStore.StatusDocument"/>).</summary>
    public string? StatusJson { get; init; }
}
