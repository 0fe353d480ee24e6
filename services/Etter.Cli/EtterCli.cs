using Etter.Cli.Commands;

namespace Etter.Cli;

/// <summary>The <c>etter</c> command line: dispatch, usage help, exit codes.</summary>
public static class EtterCli
{
    static readonly HashSet<string> Flags = ["mock", "json", "draft", "help"];

    static readonly HashSet<string> ValueOptions = ["company", "role", "engine", "jd-file", "draup-role", "timeout", "data-dir", "mode"];

    public const string Usage = """
        etter — onboard company roles into Etter (embedded default: nothing to install).

        Usage:
          etter onboard --company <name> --role <name> [--mock] [--engine rubric|llm|mock]
                        [--jd-file <path>] [--draup-role <name>] [--draft] [--timeout <s>] [--json]
          etter status <workflowId> [--json]
          etter companies [--json]
          etter roles <company> [--json]
          etter assess --jd-file <path> [--engine rubric|llm|mock] [--role <name>] [--company <name>] [--json]

        Common options:
          --data-dir <path>   where embedded mode keeps its SQLite files (default ./.etter)
          --mode <mode>       embedded (default) or distributed (RabbitMQ/PostgreSQL/Redis from Etter__* settings)

        Exit codes: 0 ready, 1 failed or invalid, 2 bad arguments, 3 degraded (no assessment),
                    4 not found, 5 timed out waiting, 6 servers not configured or not reachable.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ready;
        }

        try
        {
            var parsed = CliArguments.Parse(args, Flags, ValueOptions);
            if (parsed.Flag("help"))
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ready;
            }

            return parsed.Command switch
            {
                "onboard" => await OnboardCommand.RunAsync(parsed, stdout, stderr),
                "status" => await StatusCommand.RunAsync(parsed, stdout, stderr),
                "companies" => CatalogCommands.Companies(parsed, stdout),
                "roles" => CatalogCommands.Roles(parsed, stdout, stderr),
                "assess" => await AssessCommand.RunAsync(parsed, stdout, stderr),
                _ => throw new CliUsageException($"Unknown command '{parsed.Command}'."),
            };
        }
        catch (CliUsageException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            stderr.WriteLine("Run 'etter --help' for usage.");
            return ExitCodes.Usage;
        }
        catch (ServersUnavailableException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.ServersUnavailable;
        }
    }
}
