using Etter.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace Etter.Api.Security;

/// <summary>In distributed mode the API refuses to start without keys: an open write API is never the accidental default.</summary>
public sealed class ApiOptionsValidator(IConfiguration configuration) : IValidateOptions<ApiOptions>
{
    public const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = options.Keys.Where(k => !string.IsNullOrWhiteSpace(k)).ToList();
        if (configuration.GetEtterOptions().Mode == EtterMode.Distributed && keys.Count == 0)
        {
            return ValidateOptionsResult.Fail(
                "Etter:Api:Keys is empty: in distributed mode the API needs at least one key (set Etter__Api__Keys__0; deploy/local/up.sh generates one into .etter/local/credentials.env).");
        }

        return keys.Any(k => k.Trim().Length < MinimumKeyLength)
            ? ValidateOptionsResult.Fail($"Every Etter:Api:Keys entry must be at least {MinimumKeyLength} characters.")
            : ValidateOptionsResult.Success;
    }
}
