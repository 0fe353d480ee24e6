using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Etter.ServiceDefaults.Configuration;

public static class OptionsRegistrationExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> from <paramref name="section"/> and validates it when the host starts.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>()
            .BindConfiguration(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

    public static EtterOptions GetEtterOptions(this IConfiguration configuration) =>
        configuration.GetSection(EtterOptions.Section).Get<EtterOptions>() ?? new EtterOptions();

    public static TOptions GetRequired<TOptions>(this IConfiguration configuration, string section)
        where TOptions : class, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true))
        {
            var problems = string.Join("; ", results.Select(r => r.ErrorMessage));
            throw new OptionsValidationException(section, typeof(TOptions),
                [$"Configuration section '{section}' is invalid: {problems}. Set it in appsettings or as environment variables ({section.Replace(":", "__", StringComparison.Ordinal)}__<Name>); deploy/local/up.sh writes them to .etter/local/credentials.env."]);
        }

        return options;
    }
}
