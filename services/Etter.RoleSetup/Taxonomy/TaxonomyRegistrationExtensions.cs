using Etter.ServiceDefaults.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Taxonomy;

public static class TaxonomyRegistrationExtensions
{
    /// <summary>
    /// Registers the <see cref="ITaxonomyProvider"/> chosen by <c>Etter:Taxonomy:Provider</c> — <c>sample</c>
    /// (default) or <c>file</c> (<see cref="FileTaxonomyProvider"/> over <c>Etter:Taxonomy:File</c>, read once when
    /// first needed) — and the built-in <see cref="ISampleJobDescriptions"/>. Options are validated when the host
    /// starts. Like the TryAdd lines it replaces, it leaves alone a provider registered before it (tests' fakes).
    /// </summary>
    public static IServiceCollection AddTaxonomy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // AddValidatedOptions binds from the container's IConfiguration; hosts register one, bare containers get this one.
        services.TryAddSingleton(configuration);
        services.AddValidatedOptions<TaxonomyOptions>(TaxonomyOptions.Section);
        services.TryAddSingleton<ITaxonomyProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TaxonomyOptions>>().Value;
            return options.IsFile ? new FileTaxonomyProvider(options.File!) : new SampleTaxonomyProvider();
        });
        services.TryAddSingleton<ISampleJobDescriptions, SampleJobDescriptions>();
        return services;
    }
}
