using System.Globalization;

namespace Etter.TestSupport;

/// <summary>
/// Where the local servers are and how to log in: from the environment (deploy/local/test.sh and bench.sh export
/// them) or from the credentials file deploy/local/up.sh writes. Nothing here has a default password.
/// </summary>
public sealed record InfrastructureSettings(
    string RabbitHost,
    int RabbitPort,
    int RabbitManagementPort,
    string RabbitUser,
    string RabbitPassword,
    string RabbitAdminUser,
    string RabbitAdminPassword,
    string PostgresConnectionString,
    string RedisConfiguration)
{
    public const string HowToStart = "Start the servers with `deploy/local/up.sh --infra-only` (deploy/local/test.sh and bench.sh do this for you).";

    /// <summary>The credentials file: $ETTER_CREDENTIALS_FILE, else .etter/local/credentials.env of this repository.</summary>
    public static string CredentialsFile =>
        Environment.GetEnvironmentVariable("ETTER_CREDENTIALS_FILE") is { Length: > 0 } file
            ? file
            : Path.Combine(RepositoryPaths.Root, ".etter", "local", "credentials.env");

    public static InfrastructureSettings Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = CredentialsFile;
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var trimmed = line.Trim();
                var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
                if (trimmed.Length > 0 && !trimmed.StartsWith('#') && equals > 0)
                {
                    values[trimmed[..equals]] = trimmed[(equals + 1)..].Trim('"', '\'');
                }
            }
        }

        string Get(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } fromEnv ? fromEnv
            : values.TryGetValue(name, out var fromFile) ? fromFile
            : throw new InvalidOperationException($"Setting {name} is missing (no environment variable, not in {file}). {HowToStart}");

        return new InfrastructureSettings(
            Get("Etter__RabbitMq__Host"),
            int.Parse(Get("Etter__RabbitMq__Port"), CultureInfo.InvariantCulture),
            int.Parse(Get("Etter__RabbitMq__ManagementPort"), CultureInfo.InvariantCulture),
            Get("Etter__RabbitMq__Username"),
            Get("Etter__RabbitMq__Password"),
            Get("ETTER_RABBITMQ_ADMIN_USER"),
            Get("ETTER_RABBITMQ_ADMIN_PASSWORD"),
            Get("Etter__Postgres__ConnectionString"),
            Get("Etter__Redis__Configuration"));
    }
}
