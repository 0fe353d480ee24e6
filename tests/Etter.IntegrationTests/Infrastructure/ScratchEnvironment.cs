using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Etter.TestSupport;
using Npgsql;
using StackExchange.Redis;

namespace Etter.IntegrationTests.Infrastructure;

/// <summary>
/// A private slice of the real servers for one test: its own RabbitMQ virtual host and PostgreSQL
/// database (Redis keys are per workflow id, so Redis is shared). Removed when the test ends.
/// </summary>
public sealed class ScratchEnvironment : IAsyncDisposable
{
    readonly HttpClient _management;

    ScratchEnvironment(InfrastructureSettings settings, string name, ClusterSettings? cluster = null)
    {
        Settings = settings;
        Cluster = cluster;
        VirtualHost = name;
        Database = name.Replace('-', '_');
        _management = new HttpClient { BaseAddress = new Uri($"http://{settings.RabbitHost}:{settings.RabbitManagementPort}/api/") };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.RabbitAdminUser}:{settings.RabbitAdminPassword}")));
        var builder = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString) { Database = Database };
        PostgresConnectionString = builder.ConnectionString;
    }

    public InfrastructureSettings Settings { get; }

    /// <summary>Set when the vhost lives on the local 3-node cluster instead of the single node.</summary>
    public ClusterSettings? Cluster { get; }

    /// <summary>The API key the scratch API accepts (distributed mode requires one).</summary>
    public string ApiKey { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public string VirtualHost { get; }

    public string Database { get; }

    public string PostgresConnectionString { get; }

    public HttpClient Management => _management;

    public static async Task<ScratchEnvironment> CreateAsync()
    {
        var settings = InfrastructureSettings.Load();
        await RequireReachableAsync("RabbitMQ", settings.RabbitHost, settings.RabbitPort);
        await RequireReachableAsync("RabbitMQ management", settings.RabbitHost, settings.RabbitManagementPort);
        return await CreateAsync(settings, cluster: null);
    }

    /// <summary>
    /// A scratch vhost on the local 3-node cluster (every node reachable), with the services told about all
    /// nodes and quorum queues on; the database is on the usual PostgreSQL.
    /// </summary>
    public static async Task<ScratchEnvironment> CreateOnClusterAsync()
    {
        var cluster = ClusterSettings.Load();
        var first = cluster.Nodes[0].Split(':');
        var settings = InfrastructureSettings.Load() with
        {
            RabbitHost = first[0],
            RabbitPort = int.Parse(first[1], System.Globalization.CultureInfo.InvariantCulture),
            RabbitManagementPort = cluster.ManagementPorts[0],
            RabbitUser = cluster.User,
            RabbitPassword = cluster.Password,
            RabbitAdminUser = cluster.AdminUser,
            RabbitAdminPassword = cluster.AdminPassword,
        };
        foreach (var node in cluster.Nodes)
        {
            await RequireReachableAsync($"RabbitMQ cluster node {node}", node.Split(':')[0], int.Parse(node.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), ClusterSettings.HowToStart);
        }

        return await CreateAsync(settings, cluster);
    }

    static async Task<ScratchEnvironment> CreateAsync(InfrastructureSettings settings, ClusterSettings? cluster)
    {
        var postgres = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString);
        await RequireReachableAsync("PostgreSQL", postgres.Host ?? "127.0.0.1", postgres.Port);

        var environment = new ScratchEnvironment(settings, $"etter-it-{Guid.NewGuid():N}"[..20], cluster);
        await environment.CreateVirtualHostAsync();
        await environment.CreateDatabaseAsync();
        return environment;
    }

    /// <summary>Environment variables that point a service process at this slice.</summary>
    public Dictionary<string, string> ServiceEnvironment()
    {
        var settings = BaseServiceEnvironment();
        if (Cluster is not null)
        {
            // Host is the first node; the client tries the others too and moves to one when its node dies.
            foreach (var (node, i) in Cluster.Nodes.Skip(1).Select((n, i) => (n, i)))
            {
                settings[$"Etter__RabbitMq__ClusterNodes__{i}"] = node;
            }

            settings["Etter__RabbitMq__QuorumQueues"] = "true";
        }

        return settings;
    }

    Dictionary<string, string> BaseServiceEnvironment() => new(StringComparer.Ordinal)
    {
        ["Etter__Mode"] = "Distributed",
        ["Etter__RabbitMq__Host"] = Settings.RabbitHost,
        ["Etter__RabbitMq__Port"] = Settings.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Etter__RabbitMq__VirtualHost"] = VirtualHost,
        ["Etter__RabbitMq__Username"] = Settings.RabbitUser,
        ["Etter__RabbitMq__Password"] = Settings.RabbitPassword,
        ["Etter__RabbitMq__ManagementPort"] = Settings.RabbitManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Etter__Postgres__ConnectionString"] = PostgresConnectionString,
        ["Etter__Redis__Configuration"] = Settings.RedisConfiguration,
        ["Etter__Api__Keys__0"] = ApiKey,
        ["MASSTRANSIT_USAGE_TELEMETRY"] = "false",
    };

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<ConnectionMultiplexer> ConnectRedisAsync() => await ConnectionMultiplexer.ConnectAsync(Settings.RedisConfiguration);

    /// <summary>Number of messages waiting in a queue of this virtual host, per the management API.</summary>
    public async Task<JsonElement?> GetQueueAsync(string queue)
    {
        var response = await _management.GetAsync($"queues/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(queue)}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    /// <summary>Peeks at up to <paramref name="count"/> messages of a queue (requeued, so nothing is consumed).</summary>
    public async Task<JsonElement> PeekMessagesAsync(string queue, int count)
    {
        var response = await _management.PostAsJsonAsync(
            $"queues/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50000 });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    async Task CreateVirtualHostAsync()
    {
        var vhost = Uri.EscapeDataString(VirtualHost);
        (await _management.PutAsync($"vhosts/{vhost}", null)).EnsureSuccessStatusCode();
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

    static async Task RequireReachableAsync(string what, string host, int port, string howToStart = InfrastructureSettings.HowToStart)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port).WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"{what} is not reachable at {host}:{port} ({ex.Message}). {howToStart}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _management.DeleteAsync($"vhosts/{Uri.EscapeDataString(VirtualHost)}");
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Settings.PostgresConnectionString);
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", admin);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or NpgsqlException)
        {
            // Cleanup is best effort: a leftover scratch vhost or database does not affect other tests.
        }
        finally
        {
            _management.Dispose();
        }
    }
}
