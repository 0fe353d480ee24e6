using Microsoft.AspNetCore.Hosting;

namespace Etter.Api.Tests;

/// <summary>An embedded API with an API key configured: every pipeline endpoint then requires it.</summary>
public sealed class KeyedApiFactory : EmbeddedApiFactory
{
    public const string Key = "test-key-0123456789abcdef";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Etter:Api:Keys:0", Key);
        builder.UseSetting("Etter:Api:MaxBodyBytes", "4096");
    }
}
