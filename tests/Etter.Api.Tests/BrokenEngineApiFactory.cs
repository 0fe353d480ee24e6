namespace Etter.Api.Tests;

/// <summary>An embedded API whose assessment engine is misconfigured, so every assessment fails (non-recoverably).</summary>
public sealed class BrokenEngineApiFactory : EmbeddedApiFactory
{
    protected override string AssessmentEngine => "no-such-engine";
}
