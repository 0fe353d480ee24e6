using Etter.RoleSetup.Documents;
using Etter.RoleSetup.JobDescriptions;
using Etter.RoleSetup.Taxonomy;
using Etter.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Tests.Documents;

public sealed class DocumentRegistrationTests : IDisposable
{
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    static ServiceProvider Services(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTaxonomy(configuration);
        services.AddRoleSetupDocuments(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnesWithTheSampleProvider()
    {
        using var provider = Services(new Dictionary<string, string?>());

        var options = provider.GetRequiredService<IOptions<DocumentFetchOptions>>().Value;
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 10L * 1024 * 1024, 3), (options.ConnectTimeout, options.ReadTimeout, options.MaxBytes, options.MaxRedirects));
        Assert.Empty(options.AllowedHosts);
        Assert.IsType<SampleDocumentProvider>(provider.GetRequiredService<IDocumentProvider>());
        Assert.NotNull(provider.GetRequiredService<JobDescriptionResolver>());
    }

    [Fact]
    public void Settings_BindIncludingTheAllowList()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Etter:Documents:ConnectTimeout"] = "00:00:02",
            ["Etter:Documents:ReadTimeout"] = "00:00:10",
            ["Etter:Documents:MaxBytes"] = "1048576",
            ["Etter:Documents:MaxRedirects"] = "1",
            ["Etter:Documents:AllowedHosts:0"] = "docs.internal",
            ["Etter:Documents:AllowedHosts:1"] = "10.20.0.0/16",
        });

        var options = provider.GetRequiredService<IOptions<DocumentFetchOptions>>().Value;

        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), 1048576L, 1), (options.ConnectTimeout, options.ReadTimeout, options.MaxBytes, options.MaxRedirects));
        Assert.Equal(["docs.internal", "10.20.0.0/16"], options.AllowedHosts);
        Assert.NotNull(provider.GetRequiredService<DocumentFetcher>());
    }

    [Fact]
    public void FolderProvider_IsChosenByConfiguration()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Etter:Documents:Provider"] = "folder",
            ["Etter:Documents:FolderRoot"] = _directory.Path,
        });

        var folder = Assert.IsType<FolderDocumentProvider>(provider.GetRequiredService<IDocumentProvider>());
        Assert.Equal(_directory.Path, folder.Root);
    }

    [Theory]
    [InlineData("Etter:Documents:Provider", "s3", "must be 'sample' or 'folder'")]
    [InlineData("Etter:Documents:Provider", "folder", "FolderRoot is required")]
    [InlineData("Etter:Documents:AllowedHosts:0", "10.0.0.1/8", "AllowedHosts entry '10.0.0.1/8'")]
    [InlineData("Etter:Documents:MaxBytes", "0", "MaxBytes must be between")]
    [InlineData("Etter:Documents:ReadTimeout", "00:00:00", "ReadTimeout must be between")]
    public void BadSettings_FailValidation(string key, string value, string problem)
    {
        using var provider = Services(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            _ = provider.GetRequiredService<IOptions<DocumentFetchOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<DocumentProviderOptions>>().Value;
        });

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
