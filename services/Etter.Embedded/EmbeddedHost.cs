namespace Etter.Embedded;

/// <summary>
/// Names this host's assembly for <c>WebApplicationFactory&lt;EmbeddedHost&gt;</c>: every web project here has a
/// generated public <c>Program</c>, so that name alone is ambiguous to a test that sees them all.
/// </summary>
public sealed class EmbeddedHost
{
    EmbeddedHost()
    {
    }
}
