namespace Etter.Messaging.Bus;

/// <summary>
/// Whether a message the bus has taken outlives this process: true for RabbitMQ's durable queues, false for the
/// in-memory bus of embedded mode, where only what a consumer has committed survives a crash.
/// </summary>
public sealed record BusDurability(bool SurvivesRestart);
