namespace Etter.Api.Pipeline;

/// <summary>Body of <c>POST /api/v1/pipeline/push</c> (snake_case, as the old API).</summary>
public sealed record PushRequest
{
    public string? CompanyId { get; init; }

    public string? RoleName { get; init; }

    public IReadOnlyList<PushDocument>? Documents { get; init; }

    public string? DraupRoleId { get; init; }

    public string? DraupRoleName { get; init; }

    public PushOptions? Options { get; init; }
}
