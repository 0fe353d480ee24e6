namespace Etter.Cli;

/// <summary>
/// A small, strict parser: <c>command [positional...] [--flag] [--option value]</c>. Unknown options
/// and missing values are errors, so typos never silently change what runs.
/// </summary>
/// <remarks>
/// The parser knows every option name of the command line, so a mistyped one is reported as unknown, with the
/// nearest real name, before anything asks for its value: <c>--mok</c> would otherwise read as an option missing
/// its value, or swallow the argument after it.
/// </remarks>
public sealed class CliArguments
{
    readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    readonly List<string> _positionals = [];
    readonly HashSet<string> _used = new(StringComparer.Ordinal);

    CliArguments(string command)
    {
        Command = command;
    }

    public string Command { get; }

    public IReadOnlyList<string> Positionals => _positionals;

    /// <param name="args">The raw arguments.</param>
    /// <param name="flags">Options that take no value.</param>
    /// <param name="valueOptions">Options that take a value. Whether a command accepts one is its own check (<see cref="EnsureAllUsed"/>).</param>
    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> valueOptions)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(valueOptions);
        if (args.Count == 0)
        {
            throw new CliUsageException("No command given.");
        }

        var parsed = new CliArguments(args[0]);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                parsed._positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (!flags.Contains(name) && !valueOptions.Contains(name))
            {
                throw new CliUsageException(UnknownOption(name, [.. flags, .. valueOptions]));
            }

            if (equals < 0 && !flags.Contains(name))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CliUsageException($"Option --{name} needs a value.");
                }

                value = args[++i];
            }

            if (!parsed._options.TryAdd(name, value))
            {
                throw new CliUsageException($"Option --{name} is given more than once.");
            }
        }

        return parsed;
    }

    static string UnknownOption(string name, IReadOnlyCollection<string> known)
    {
        var nearest = known.Select(k => (Name: k, Distance: EditDistance(name, k))).OrderBy(k => k.Distance).ThenBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault();
        return nearest.Name is not null && nearest.Distance <= 2
            ? $"Unknown option --{name}. Did you mean --{nearest.Name}?"
            : $"Unknown option --{name}.";
    }

    /// <summary>Levenshtein distance: how many single-character edits turn one name into the other.</summary>
    static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public string? Option(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public string RequiredOption(string name)
    {
        var value = Option(name);
        return string.IsNullOrWhiteSpace(value) ? throw new CliUsageException($"Option --{name} is required.") : value;
    }

    /// <summary>Fails on any option the command did not ask about, and on surplus positionals.</summary>
    public void EnsureAllUsed(int maxPositionals)
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new CliUsageException($"Unknown option(s) for '{Command}': {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }

        if (_positionals.Count > maxPositionals)
        {
            throw new CliUsageException($"Unexpected argument(s) for '{Command}': {string.Join(" ", _positionals.Skip(maxPositionals))}.");
        }
    }
}
