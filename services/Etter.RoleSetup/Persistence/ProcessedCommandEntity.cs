namespace Etter.RoleSetup.Persistence;

/// <summary>
/// The inbox: one row per handled (workflow, attempt) of role_setup, holding the answer given. A redelivered
/// command gets the same answer again instead of a second run.
/// </summary>
public sealed class ProcessedCommandEntity
{
    public Guid WorkflowId { get; set; }

    public int Attempt { get; set; }

    /// <summary>The RoleSetupCompleted that was published, as JSON.</summary>
    public string ResultJson { get; set; } = "";

    public DateTimeOffset ProcessedAt { get; set; }
}
