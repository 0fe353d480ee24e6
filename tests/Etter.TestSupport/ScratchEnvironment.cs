using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using StackExchange.Redis;

namespace Etter.TestSupport;

/// <summary>
/// A private slice of the local servers for one integration test or benchmark run: its own RabbitMQ
/// virtual host, PostgreSQL database and Redis key prefix. Removed at the end unless <see cref="Keep"/> is set.
/// </summary>
public sealed class ScratchEnvironment : IAsyncDisposable
{
    readonly HttpClient _management;

    ScratchEnvironment(InfrastructureSettings settings, string name, ClusterSettings? cluster)
    {
        Settings = settings;
        Cluster = cluster;
        VirtualHost = name;
        Database = name.Replace('-', '_');
        RedisKeyPrefix = name + ":";
        // On the cluster, any node answers for the whole cluster, and the failover tests kill the first one.
        _management = new HttpClient(cluster is null ? new SocketsHttpHandler() : new ManagementNodeFailover(cluster.ManagementPorts))
        {
            BaseAddress = new Uri($"http://{settings.RabbitHost}:{settings.RabbitManagementPort}/api/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.RabbitAdminUser}:{settings.RabbitAdminPassword}")));
        PostgresConnectionString = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString) { Database = Database }.ConnectionString;
    }

    public InfrastructureSettings Settings { get; }

    /// <summary>Set when the vhost lives on the local 3-node cluster instead of the single node.</summary>
    public ClusterSettings? Cluster { get; }

    /// <summary>A key made for this slice only: the API requires one in distributed mode, and no real key is needed.</summary>
    public string ApiKey { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    public string VirtualHost { get; }

    public string Database { get; }

    /// <summary>
    /// The services' <c>Etter:Redis:KeyPrefix</c>: every key they write starts with it, and the keys go with the slice.
    /// Left behind, a benchmark's statuses (24 h each) piled up by the hundred thousand, and Redis's snapshots of them
    /// took a core for 9 s at a time in the middle of later runs.
    /// </summary>
    public string RedisKeyPrefix { get; }

    public string PostgresConnectionString { get; }

    /// <summary>The RabbitMQ management API, relative to /api/, as the admin user.</summary>
    public HttpClient Management => _management;

    /// <summary>Maximum Pool Size put into the services' connection string; null leaves Npgsql's default (100).</summary>
    public int? ServicePoolSize { get; set; }

    /// <summary>Leave the vhost and database in place at the end (for a look afterwards).</summary>
    public bool Keep { get; set; }

    /// <summary>
    /// A scratch vhost and database on the servers of <paramref name="settings"/> (by default
    /// <see cref="InfrastructureSettings.Load"/>), named <paramref name="prefix"/> and a random suffix.
    /// </summary>
    public static async Task<ScratchEnvironment> CreateAsync(InfrastructureSettings? settings = null, string prefix = "etter-it")
    {
        settings ??= InfrastructureSettings.Load();
        await RequireReachableAsync("RabbitMQ", settings.RabbitHost, settings.RabbitPort);
        await RequireReachableAsync("RabbitMQ management", settings.RabbitHost, settings.RabbitManagementPort);
        return await CreateAsync(settings, prefix, cluster: null);
    }

    /// <summary>
    /// A scratch vhost on the local 3-node cluster (every node reachable), with the services told about all
    /// nodes and quorum queues on; the database is on the usual PostgreSQL.
    /// </summary>
    public static async Task<ScratchEnvironment> CreateOnClusterAsync(string prefix = "etter-it")
    {
        var cluster = ClusterSettings.Load();
        var first = cluster.Nodes[0].Split(':');
        var settings = InfrastructureSettings.Load() with
        {
            RabbitHost = first[0],
            RabbitPort = int.Parse(first[1], CultureInfo.InvariantCulture),
            RabbitManagementPort = cluster.ManagementPorts[0],
            RabbitUser = cluster.User,
            RabbitPassword = cluster.Password,
            RabbitAdminUser = cluster.AdminUser,
            RabbitAdminPassword = cluster.AdminPassword,
        };
        foreach (var node in cluster.Nodes)
        {
            await RequireReachableAsync($"RabbitMQ cluster node {node}", node.Split(':')[0], int.Parse(node.Split(':')[1], CultureInfo.InvariantCulture), ClusterSettings.HowToStart);
        }

        return await CreateAsync(settings, prefix, cluster);
    }

    static async Task<ScratchEnvironment> CreateAsync(InfrastructureSettings settings, string prefix, ClusterSettings? cluster)
    {
        var postgres = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString);
        await RequireReachableAsync("PostgreSQL", postgres.Host ?? "127.0.0.1", postgres.Port);

        var environment = new ScratchEnvironment(settings, $"{prefix}-{Guid.NewGuid():N}"[..20], cluster);
        await environment.CreateVirtualHostAsync();
        await environment.CreateDatabaseAsync();
        return environment;
    }

    /// <summary>
    /// The same settings as configuration keys, for a service's registrations built inside the test process (what the
    /// environment variables become in a service, <c>Etter__Mode</c> read as <c>Etter:Mode</c>).
    /// </summary>
    public Dictionary<string, string?> ServiceConfiguration() =>
        ServiceEnvironment().ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);

    /// <summary>Environment variables that point a service process at this slice.</summary>
    public Dictionary<string, string> ServiceEnvironment()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
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
            ["Etter__Redis__KeyPrefix"] = RedisKeyPrefix,
            ["Etter__Api__Keys__0"] = ApiKey,
            ["MASSTRANSIT_USAGE_TELEMETRY"] = "false",
        };
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

    public async Task<ConnectionMultiplexer> ConnectRedisAsync() => await ConnectionMultiplexer.ConnectAsync(Settings.RedisConfiguration);

    /// <summary>GET on the management API, relative to /api/, with {vhost} replaced by this virtual host; null unless it succeeds.</summary>
    public async Task<JsonElement?> ManagementGetAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await _management.GetAsync(new Uri(path.Replace("{vhost}", Uri.EscapeDataString(VirtualHost), StringComparison.Ordinal), UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken) : null;
    }

    /// <summary>A queue of this virtual host as the management API describes it (message counts and more); null if it does not exist.</summary>
    public Task<JsonElement?> GetQueueAsync(string queue) => ManagementGetAsync($"queues/{{vhost}}/{Uri.EscapeDataString(queue)}");

    /// <summary>
    /// Waits until a message statistic of a queue (e.g. <c>deliver_get</c>) satisfies <paramref name="condition"/>; the
    /// management API refreshes them every few seconds. False if it never does within 30 s.
    /// </summary>
    public async Task<bool> WaitForQueueStatAsync(string queue, string stat, Func<long, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var info = await GetQueueAsync(queue);
            if (info?.TryGetProperty("message_stats", out var stats) == true && stats.TryGetProperty(stat, out var value) && condition(value.GetInt64()))
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
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

    /// <summary>
    /// The broker goes away for this environment's services: their user loses its rights on the virtual host and
    /// their connections are closed, so every reconnect is refused while the broker stays up for everyone else.
    /// </summary>
    /// <remarks>
    /// The management API lists a connection only once its first statistics are in (every 5 s by default), so one
    /// listing can miss a connection opened just before: the API's, in one CI run, which then stayed connected. With
    /// reconnects refused, what is listed is closed again until nothing has been listed for longer than that.
    /// </remarks>
    public async Task CutOffBrokerAsync()
    {
        var vhost = Uri.EscapeDataString(VirtualHost);
        using var revoked = await _management.DeleteAsync(new Uri($"permissions/{vhost}/{Uri.EscapeDataString(Settings.RabbitUser)}", UriKind.Relative));
        revoked.EnsureSuccessStatusCode();
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (quiet.Elapsed < StatisticsInterval + TimeSpan.FromSeconds(3))
        {
            var connections = await ManagementGetAsync("vhosts/{vhost}/connections", deadline.Token)
                ?? throw new InvalidOperationException($"The management API did not list the connections of {VirtualHost}.");
            foreach (var connection in connections.EnumerateArray())
            {
                var name = Uri.EscapeDataString(connection.GetProperty("name").GetString()!);
                using var closed = await _management.DeleteAsync(new Uri($"connections/{name}", UriKind.Relative), deadline.Token);
                quiet.Restart();
            }

            await Task.Delay(500, deadline.Token);
        }
    }

    /// <summary>How often RabbitMQ collects the statistics the management API serves (its default; our configs keep it).</summary>
    static readonly TimeSpan StatisticsInterval = TimeSpan.FromSeconds(5);

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

    /// <summary>Deletes every Redis key under <see cref="RedisKeyPrefix"/>, a page of the key space at a time.</summary>
    async Task DeleteRedisKeysAsync()
    {
        var options = ConfigurationOptions.Parse(Settings.RedisConfiguration);
        options.ConnectTimeout = 3000;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var database = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var page = new List<RedisKey>(1000);
            await foreach (var key in server.KeysAsync(pattern: RedisKeyPrefix + "*", pageSize: 1000))
            {
                page.Add(key);
                if (page.Count == 1000)
                {
                    await database.KeyDeleteAsync([.. page]);
                    page.Clear();
                }
            }

            if (page.Count > 0)
            {
                await database.KeyDeleteAsync([.. page]);
            }
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
                await DeleteRedisKeysAsync();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or NpgsqlException or RedisException)
        {
            // Best effort: a leftover scratch vhost or database does not affect other runs, but say so.
            await Console.Error.WriteLineAsync($"Could not remove scratch vhost, database or Redis keys {VirtualHost}: {ex.Message}");
        }
        finally
        {
            _management.Dispose();
        }
    }
}
