namespace Etter.Orchestrator.Admission;

/// <summary>
/// One of a company's admission slots (<c>admission_slot</c>). A workflow holds one while it is active, so the
/// number of active workflows per company can never pass the limit, whichever instance admits them.
/// </summary>
public sealed class CompanySlot
{
    public string CompanyId { get; set; } = "";

    public int Slot { get; set; }

    /// <summary>The workflow holding the slot; null while free.</summary>
    public Guid? WorkflowId { get; set; }
}
