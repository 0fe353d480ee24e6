using Microsoft.Extensions.Configuration;

namespace Etter.UnitTests.Support;

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
