using Microsoft.Extensions.Configuration;

namespace Etter.TestSupport;

/// <summary>Configuration for services the tests run in embedded mode: the mode, a data directory and any extra settings.</summary>
public static class EmbeddedConfiguration
{
    public static IConfigurationRoot For(string dataDirectory, IDictionary<string, string?>? extra = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Etter:Mode"] = "Embedded",
            ["Etter:DataDirectory"] = dataDirectory,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
