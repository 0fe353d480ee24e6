namespace Etter.Cli;

/// <summary>Bad command-line input: reported with usage help and exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
