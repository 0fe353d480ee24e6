using System.ComponentModel.DataAnnotations;

namespace Etter.Messaging.Bus;

/// <summary>RabbitMQ connection (<c>Etter:RabbitMq</c>), used in distributed mode. No default credentials: see deploy/local.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "Etter:RabbitMq";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    [Required]
    public string VirtualHost { get; set; } = "etter";

    [Required]
    public string Username { get; set; } = "";

    [Required]
    public string Password { get; set; } = "";

    [Range(1, 65535)]
    public int ManagementPort { get; set; } = 15672;

    /// <summary>Messages each consumer may hold unacknowledged; bounds memory and keeps work spread across replicas.</summary>
    [Range(1, 10000)]
    public int PrefetchCount { get; set; } = 64;

    /// <summary>
    /// Declare every endpoint queue as a quorum queue (replicated across a RabbitMQ cluster). On by default:
    /// measured on one node it cost nothing against classic queues (deploy/k8s/README.md, the broker). Queues already declared
    /// as classic must be deleted to switch; set false to keep an existing vhost's classic queues.
    /// </summary>
    public bool QuorumQueues { get; set; } = true;

    /// <summary>
    /// The longest wait between two attempts to reconnect to a broker that went away (<see cref="BrokerReconnectPolicy"/>).
    /// MassTransit's own backoff grows to 30 s, which kept every consumer idle for up to half a minute after the
    /// broker was back; attempts are cheap, so the default keeps them frequent.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ReconnectMaxInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Other nodes of a RabbitMQ cluster as <c>host:port</c> (<c>Etter__RabbitMq__ClusterNodes__0</c>, ...).
    /// The client connects to any reachable node and fails over to the others when its node goes away.
    /// </summary>
    public IList<string> ClusterNodes { get; } = [];
}
