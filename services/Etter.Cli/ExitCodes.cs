namespace Etter.Cli;

/// <summary>Process exit codes, documented in the README.</summary>
public static class ExitCodes
{
    public const int Ready = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Degraded = 3;
    public const int NotFound = 4;
    public const int TimedOut = 5;
    public const int ServersUnavailable = 6;
}
