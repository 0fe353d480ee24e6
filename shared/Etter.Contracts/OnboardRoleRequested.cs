namespace Etter.Contracts;

/// <summary>
/// The entry message: a customer-success user pushed a company role into Etter.
/// Wire type <c>urn:message:Etter.Contracts:OnboardRoleRequested</c>, camelCase JSON. Non-.NET
/// publishers may send it as plain JSON to the exchange <c>Etter.Contracts:OnboardRoleRequested</c>.
/// </summary>
public sealed record OnboardRoleRequested
{
    /// <summary>The workflow's correlation id, chosen by the caller so a re-publish is idempotent.</summary>
    public Guid WorkflowId { get; init; }

    public string CompanyId { get; init; } = "";

    public string RoleName { get; init; } = "";

    public IReadOnlyList<RoleDocument>? Documents { get; init; }

    public string? DraupRoleId { get; init; }

    public string? DraupRoleName { get; init; }

    public OnboardingOptions? Options { get; init; }

    public string? RequestedBy { get; init; }

    public string? BatchId { get; init; }

    public DateTimeOffset RequestedAt { get; init; }
}
