using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Etter.TestSupport;
using Npgsql;

namespace Etter.Benchmarks.Infrastructure;

/// <summary>
/// A private slice of the local servers for one benchmark run: its own RabbitMQ virtual host and
/// PostgreSQL database (Redis keys are per workflow id, so Redis is shared). Removed at the end.
/// </summary>
public sealed class ScratchEnvironment : IAsyncDisposable
{
    readonly HttpClient _management;

    ScratchEnvironment(InfrastructureSettings settings, string name)
    {
        Settings = settings;
        VirtualHost = name;
        Database = name.Replace('-', '_');
        _management = new HttpClient { BaseAddress = new Uri($"http://{settings.RabbitHost}:{settings.RabbitManagementPort}/api/"), Timeout = TimeSpan.FromSeconds(30) };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.RabbitAdminUser}:{settings.RabbitAdminPassword}")));
        PostgresConnectionString = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString) { Database = Database }.ConnectionString;
    }

    public InfrastructureSettings Settings { get; }

    public string VirtualHost { get; }

    public string Database { get; }

    public string PostgresConnectionString { get; }

    /// <summary>Maximum Pool Size put into the services' connection string; null leaves Npgsql's default (100).</summary>
    public int? ServicePoolSize { get; set; }

    /// <summary>Leave the vhost and database in place at the end (for a look afterwards).</summary>
    public bool Keep { get; set; }

    public static async Task<ScratchEnvironment> CreateAsync(InfrastructureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await RequireReachableAsync("RabbitMQ", settings.RabbitHost, settings.RabbitPort);
        await RequireReachableAsync("RabbitMQ management", settings.RabbitHost, settings.RabbitManagementPort);
        var postgres = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString);
        await RequireReachableAsync("PostgreSQL", postgres.Host ?? "127.0.0.1", postgres.Port);

        var environment = new ScratchEnvironment(settings, $"etter-bench-{Guid.NewGuid():N}"[..20]);
        await environment.CreateVirtualHostAsync();
        await environment.CreateDatabaseAsync();
        return environment;
    }

    /// <summary>Environment variables that point a service process at this slice.</summary>
    public Dictionary<string, string> ServiceEnvironment() => new(StringComparer.Ordinal)
    {
        ["Etter__Mode"] = "Distributed",
        ["Etter__RabbitMq__Host"] = Settings.RabbitHost,
        ["Etter__RabbitMq__Port"] = Settings.RabbitPort.ToString(CultureInfo.InvariantCulture),
        ["Etter__RabbitMq__VirtualHost"] = VirtualHost,
        ["Etter__RabbitMq__Username"] = Settings.RabbitUser,
        ["Etter__RabbitMq__Password"] = Settings.RabbitPassword,
        ["Etter__RabbitMq__ManagementPort"] = Settings.RabbitManagementPort.ToString(CultureInfo.InvariantCulture),
        ["Etter__Postgres__ConnectionString"] = ServicePoolSize is { } pool
            ? new NpgsqlConnectionStringBuilder(PostgresConnectionString) { MaxPoolSize = pool }.ConnectionString
            : PostgresConnectionString,
        ["Etter__Redis__Configuration"] = Settings.RedisConfiguration,
        ["Etter__Api__Keys__0"] = ApiKey,
        ["Etter__Orchestrator__MaxActivePerCompany"] = Embedded.EmbeddedSystem.BenchmarkAdmissionLimit,
        ["MASSTRANSIT_USAGE_TELEMETRY"] = "false",
    };

    /// <summary>A key made for this run only: the API requires one in distributed mode, and no real key is needed.</summary>
    public static string ApiKey { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    public async Task<NpgsqlConnection> OpenDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>A connection to the servers' own database (not the scratch one), for server-wide statistics.</summary>
    public async Task<NpgsqlConnection> OpenAdminDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(Settings.PostgresConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>GET on the management API, relative to /api/, with {vhost} replaced by this virtual host.</summary>
    public async Task<JsonElement?> ManagementGetAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await _management.GetAsync(new Uri(path.Replace("{vhost}", Uri.EscapeDataString(VirtualHost), StringComparison.Ordinal), UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken) : null;
    }

    async Task CreateVirtualHostAsync()
    {
        var vhost = Uri.EscapeDataString(VirtualHost);
        using var created = await _management.PutAsync(new Uri($"vhosts/{vhost}", UriKind.Relative), null);
        if (created.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            throw new InvalidOperationException(
                $"The RabbitMQ management API at {_management.BaseAddress} refused user '{Settings.RabbitAdminUser}' (401): the servers running on these ports were not started with these credentials (another checkout's up.sh?). {InfrastructureSettings.HowToStart}");
        }

        created.EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"permissions/{vhost}/{Uri.EscapeDataString(Settings.RabbitUser)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"permissions/{vhost}/{Uri.EscapeDataString(Settings.RabbitAdminUser)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    async Task CreateDatabaseAsync()
    {
        await using var admin = new NpgsqlConnection(Settings.PostgresConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{Database}\"", admin);
        await command.ExecuteNonQueryAsync();
    }

    static async Task RequireReachableAsync(string what, string host, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port).WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"{what} is not reachable at {host}:{port} ({ex.Message}). {InfrastructureSettings.HowToStart}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Keep)
            {
                await _management.DeleteAsync(new Uri($"vhosts/{Uri.EscapeDataString(VirtualHost)}", UriKind.Relative));
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(Settings.PostgresConnectionString);
                await admin.OpenAsync();
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", admin);
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or NpgsqlException)
        {
            Console.Error.WriteLine($"Could not remove scratch vhost/database {VirtualHost}: {ex.Message}");
        }
        finally
        {
            _management.Dispose();
        }
    }
}
