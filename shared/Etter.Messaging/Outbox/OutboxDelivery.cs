using System.Diagnostics;
using System.Text.Json;
using Etter.Contracts;
using Etter.Messaging.Bus;
using Etter.ServiceDefaults.Observability;
using MassTransit;

namespace Etter.Messaging.Outbox;

/// <summary>Delivers one outbox row: to the bus (publish, send or reply) or to a custom destination by URI scheme.</summary>
public sealed class OutboxDelivery(IBus bus, IEnumerable<IOutboxDestination> destinations)
{
    static readonly System.Reflection.Assembly ContractsAssembly = typeof(OnboardRoleRequested).Assembly;

    readonly Dictionary<string, IOutboxDestination> _destinations = destinations.ToDictionary(d => d.Scheme, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether what is sent to <paramref name="destination"/> needs no row: a custom destination that goes with this
    /// process (<see cref="IOutboxDestination.OutlivesProcess"/>), where a crash loses it anyway, or an answer to a request.
    /// An answer is worth something only while its requester waits (the API's <c>Etter:Api:SubmitTimeout</c>, 5 s), and
    /// a row would reach that requester no sooner: the relay takes rows only after <see cref="OutboxOptions.HandoffGrace"/>
    /// (5 s) or a restart. A requester that gets no answer says the request was accepted unconfirmed, and the saga's row
    /// holds what was decided. Commands and events keep their rows, on every bus.
    /// </summary>
    public bool NeedsNoRow(Uri destination, bool isResponse = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _destinations.TryGetValue(destination.Scheme, out var custom) ? !custom.OutlivesProcess : isResponse;
    }

    /// <summary>Whether a row's destination is one that keeps order by itself (<see cref="IOutboxDestination.OrdersItself"/>).</summary>
    public bool OrdersItself(string? destination)
    {
        var colon = destination?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0
            && _destinations.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(destination.AsSpan(0, colon), out var custom)
            && custom.OrdersItself;
    }

    /// <summary>Rebuilds the message of a row read back from the table (the relay's path).</summary>
    public static object Payload(OutboxMessage row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var type = ContractsAssembly.GetType(row.MessageType)
            ?? throw new InvalidOperationException($"Outbox row {row.Sequence} has unknown message type {row.MessageType}.");
        return JsonSerializer.Deserialize(row.Body, type, OutboxMessage.JsonOptions)!;
    }

    public async Task DeliverAsync(OutboxMessage row, object message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(message);

        // Continue the trace of the transaction that wrote the message; MassTransit carries it on from here.
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = EtterTelemetry.Source.StartActivity($"outbox deliver {message.GetType().Name}", ActivityKind.Producer, parent);
        activity?.SetTag("etter.workflow_id", row.WorkflowId);
        var type = message.GetType();
        if (row.Destination is null)
        {
            await bus.PublishBoundedAsync(message, type, cancellationToken);
            return;
        }

        var address = new Uri(row.Destination);
        if (_destinations.TryGetValue(address.Scheme, out var custom))
        {
            await custom.DeliverAsync(row.WorkflowId, message, cancellationToken);
            return;
        }

        var endpoint = await bus.GetSendEndpoint(address);
        if (row.RequestId is { } requestId)
        {
            await endpoint.SendBoundedAsync(message, type, context => context.RequestId = requestId, cancellationToken);
        }
        else
        {
            await endpoint.SendBoundedAsync(message, type, cancellationToken);
        }
    }
}
