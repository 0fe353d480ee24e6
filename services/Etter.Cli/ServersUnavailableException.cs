namespace Etter.Cli;

/// <summary>Distributed mode could not begin: the servers' settings are missing or the broker could not be reached. Exit code 6.</summary>
public sealed class ServersUnavailableException(string message) : Exception(message);
