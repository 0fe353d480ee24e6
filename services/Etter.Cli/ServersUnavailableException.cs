namespace Etter.Cli;

/// <summary>
/// Distributed mode cannot do its work: the servers' settings are missing, the broker cannot be reached, or no orchestrator
/// answers. Exit code 6.
/// </summary>
public sealed class ServersUnavailableException(string message) : Exception(message);
