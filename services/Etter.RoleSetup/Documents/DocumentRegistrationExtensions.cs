using Etter.RoleSetup.JobDescriptions;
using Etter.ServiceDefaults.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Documents;

public static class DocumentRegistrationExtensions
{
    /// <summary>
    /// Registers document fetching and job description resolution: validated <see cref="DocumentFetchOptions"/> and
    /// <see cref="DocumentProviderOptions"/> (<c>Etter:Documents</c>, checked when the host starts), the typed
    /// <see cref="DocumentFetcher"/> client with its guarded handler, <see cref="DocumentTextExtractor"/>, the
    /// <see cref="IDocumentProvider"/> chosen by <c>Etter:Documents:Provider</c> (<c>sample</c> or <c>folder</c>) and
    /// <see cref="JobDescriptionResolver"/>. Needs <see cref="Taxonomy.ISampleJobDescriptions"/>
    /// registered for the sample provider (AddTaxonomy does that).
    /// </summary>
    public static IServiceCollection AddRoleSetupDocuments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // AddValidatedOptions binds from the container's IConfiguration; hosts register one, bare containers get this one.
        services.TryAddSingleton(configuration);
        services.AddValidatedOptions<DocumentFetchOptions>(DocumentFetchOptions.Section);
        services.AddValidatedOptions<DocumentProviderOptions>(DocumentProviderOptions.Section);
        services.TryAddSingleton<DocumentTextExtractor>();
        services.AddHttpClient<DocumentFetcher>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => DocumentFetcher.CreateHandler(sp.GetRequiredService<IOptions<DocumentFetchOptions>>().Value))
            // The fetcher logs addresses without their query strings itself; the factory's loggers would log them whole.
            .RemoveAllLoggers();
        services.TryAddSingleton<IDocumentProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DocumentProviderOptions>>().Value;
            return options.IsFolder
                ? new FolderDocumentProvider(
                    options.FolderRoot!,
                    sp.GetRequiredService<DocumentTextExtractor>(),
                    sp.GetRequiredService<IOptions<DocumentFetchOptions>>().Value.MaxBytes,
                    sp.GetService<ILogger<FolderDocumentProvider>>())
                : ActivatorUtilities.CreateInstance<SampleDocumentProvider>(sp);
        });
        services.TryAddTransient<JobDescriptionResolver>();
        return services;
    }
}
