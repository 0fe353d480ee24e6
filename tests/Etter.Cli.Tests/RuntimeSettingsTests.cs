using System.Text.Json;

namespace Etter.Cli.Tests;

/// <summary>The runtime settings the embedded hosts are built with (their runtimeconfig.json, copied next to these tests).</summary>
public sealed class RuntimeSettingsTests
{
    [Theory]
    [InlineData("etter")]
    [InlineData("Etter.Embedded")]
    public void EmbeddedHost_RunsWithoutDynamicPgo(string host)
    {
        var path = Path.Combine(AppContext.BaseDirectory, host + ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));

        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }
}
