namespace Etter.Contracts;

/// <summary>Why something failed, and whether trying again can help.</summary>
public sealed record OnboardingError
{
    public string Code { get; init; } = "";

    public string Message { get; init; } = "";

    public bool Recoverable { get; init; }
}
