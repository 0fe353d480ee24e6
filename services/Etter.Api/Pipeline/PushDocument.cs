namespace Etter.Api.Pipeline;

public sealed record PushDocument
{
    public string? Type { get; init; }

    public string? Uri { get; init; }

    public string? Content { get; init; }

    public string? Name { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
