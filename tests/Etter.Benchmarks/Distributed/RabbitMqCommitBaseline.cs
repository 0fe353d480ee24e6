using System.Diagnostics;
using Etter.Benchmarks.Reporting;
using Etter.TestSupport;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Etter.Benchmarks.Distributed;

/// <summary>
/// Raw RabbitMQ rate for what the services do with every message: persistent messages to a durable queue,
/// publisher confirms (awaited in batches), and a consumer that acknowledges each one.
/// </summary>
public static class RabbitMqCommitBaseline
{
    const string Queue = "etter-bench-baseline";
    const int MessageBytes = 2048;
    const int ConfirmBatch = 100;
    const ushort Prefetch = 64;

    public static async Task<RabbitMqBaseline> RunAsync(ScratchEnvironment environment, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var settings = environment.Settings;
        var factory = new ConnectionFactory
        {
            HostName = settings.RabbitHost,
            Port = settings.RabbitPort,
            VirtualHost = environment.VirtualHost,
            UserName = settings.RabbitUser,
            Password = settings.RabbitPassword,
            ClientProvidedName = "etter-bench-baseline",
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await using var consumerChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await publisher.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await consumerChannel.BasicQosAsync(0, Prefetch, false, cancellationToken);

        long consumed = 0;
        long lastConsumedAt = Stopwatch.GetTimestamp();
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            Interlocked.Increment(ref consumed);
            Interlocked.Exchange(ref lastConsumedAt, Stopwatch.GetTimestamp());
        };
        var tag = await consumerChannel.BasicConsumeAsync(Queue, autoAck: false, consumer, cancellationToken);

        var body = new byte[MessageBytes];
        Random.Shared.NextBytes(body);
        var properties = new BasicProperties { Persistent = true, ContentType = "application/octet-stream" };
        long published = 0;
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var batch = new List<ValueTask>(ConfirmBatch);
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            for (var i = 0; i < ConfirmBatch; i++)
            {
                batch.Add(publisher.BasicPublishAsync(string.Empty, Queue, mandatory: false, properties, body, cancellationToken));
            }

            foreach (var confirm in batch)
            {
                await confirm;
            }

            batch.Clear();
            published += ConfirmBatch;
        }

        var publishSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var drainDeadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (Interlocked.Read(ref consumed) < published && Stopwatch.GetTimestamp() < drainDeadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        var consumeSeconds = Stopwatch.GetElapsedTime(start, Interlocked.Read(ref lastConsumedAt)).TotalSeconds;
        await consumerChannel.BasicCancelAsync(tag, cancellationToken: cancellationToken);
        await publisher.QueueDeleteAsync(Queue, cancellationToken: cancellationToken);

        var publishRate = published / publishSeconds;
        var consumeRate = consumeSeconds > 0 ? Interlocked.Read(ref consumed) / consumeSeconds : 0;
        return new RabbitMqBaseline(
            Math.Round(publishSeconds, 2),
            MessageBytes,
            ConfirmBatch,
            Prefetch,
            published,
            Interlocked.Read(ref consumed),
            Math.Round(publishRate, 1),
            Math.Round(consumeRate, 1),
            Math.Round(Math.Min(publishRate, consumeRate), 1));
    }
}
