using System.Text.Json;
using System.Text.RegularExpressions;
using Etter.TestSupport;

namespace Etter.IntegrationTests.Deployment;

/// <summary>
/// docker-compose.yml as Compose itself reads it. No Docker engine runs here or in CI, so these tests
/// use `docker compose config`, which parses, interpolates and validates the file without one. They
/// need the docker CLI and its compose plugin (deploy/local/install-docker-cli.sh installs both).
/// </summary>
public sealed partial class DockerComposeTests
{
    static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    static readonly string[] ServerServices = ["rabbitmq", "postgres", "redis"];
    static readonly string[] AppServices = ["api", "orchestrator", "role-setup", "ai-assessment"];

    const string Healthy = "service_healthy";
    const string Started = "service_started";

    /// <summary>What each application service waits for, and in which state.</summary>
    static readonly Dictionary<string, Dictionary<string, string>> ExpectedDependencies = new(StringComparer.Ordinal)
    {
        ["orchestrator"] = new(StringComparer.Ordinal) { ["rabbitmq"] = Healthy, ["postgres"] = Healthy, ["redis"] = Healthy },
        ["role-setup"] = new(StringComparer.Ordinal) { ["rabbitmq"] = Healthy, ["postgres"] = Healthy, ["neo4j"] = Healthy },
        ["ai-assessment"] = new(StringComparer.Ordinal) { ["rabbitmq"] = Healthy, ["postgres"] = Healthy },
        ["api"] = new(StringComparer.Ordinal)
        {
            ["rabbitmq"] = Healthy,
            ["postgres"] = Healthy,
            ["redis"] = Healthy,
            ["orchestrator"] = Healthy,
        },
    };

    static string ComposeFile => Path.Combine(RepositoryPaths.Root, "docker-compose.yml");

    static string ExampleEnvFile => Path.Combine(RepositoryPaths.Root, ".env.example");

    [Fact]
    public async Task ConfigWithExampleEnv_ListsTheSevenServices()
    {
        using var config = await ConfigWithExampleEnvAsync();

        var expected = ServerServices.Concat(AppServices).Order(StringComparer.Ordinal).ToArray();
        var actual = Services(config).EnumerateObject().Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task ConfigWithExampleEnv_GivesEveryServiceAHealthCheck()
    {
        using var config = await ConfigWithExampleEnvAsync();

        foreach (var name in ServerServices.Concat(AppServices))
        {
            var test = HealthCheckTest(Services(config).GetProperty(name), name);
            Assert.True(test.Count > 1, $"{name}: the health check has no command");
        }

        foreach (var name in AppServices)
        {
            var command = string.Join(' ', HealthCheckTest(Services(config).GetProperty(name), name));
            Assert.Contains("/health", command, StringComparison.Ordinal);
            Assert.Contains("8080", command, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConfigWithExampleEnv_AppServicesWaitForTheServersTheyNeed()
    {
        using var config = await ConfigWithExampleEnvAsync();
        var services = Services(config);

        foreach (var (name, expected) in ExpectedDependencies)
        {
            Assert.True(services.GetProperty(name).TryGetProperty("depends_on", out var dependsOn), $"{name} has no depends_on");
            var actual = dependsOn.EnumerateObject().ToDictionary(
                d => d.Name,
                d => d.Value.GetProperty("condition").GetString() ?? "",
                StringComparer.Ordinal);
            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));

            // service_healthy on a service without a health check would never be satisfied. (A dependency
            // outside the active profiles, such as neo4j, is optional and absent from this config.)
            foreach (var (dependency, condition) in actual.Where(d => d.Value == Healthy && services.TryGetProperty(d.Key, out _)))
            {
                Assert.True(services.GetProperty(dependency).TryGetProperty("healthcheck", out _),
                    $"{name} waits for {dependency} to be {condition}, but {dependency} has no health check");
            }
        }
    }

    [Fact]
    public async Task ConfigWithExampleEnv_RunsAppServicesInDistributedMode()
    {
        using var config = await ConfigWithExampleEnvAsync();

        foreach (var name in AppServices)
        {
            var environment = Services(config).GetProperty(name).GetProperty("environment");
            Assert.True(environment.TryGetProperty("Etter__Mode", out var mode), $"{name} does not set Etter__Mode");
            Assert.Equal("Distributed", mode.GetString());
            Assert.Equal("rabbitmq", environment.GetProperty("Etter__RabbitMq__Host").GetString());
        }
    }

    [Fact]
    public async Task ConfigWithExampleEnv_GivesRedisToTheServicesThatWriteOrReadStatus()
    {
        using var config = await ConfigWithExampleEnvAsync();

        foreach (var name in new[] { "orchestrator", "api" })
        {
            var environment = Services(config).GetProperty(name).GetProperty("environment");
            Assert.True(environment.TryGetProperty("Etter__Redis__Configuration", out var redis), $"{name} gets no Redis configuration");
            Assert.StartsWith("redis:6379,", redis.GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConfigWithExampleEnv_RabbitMqLoadsTheConsistentHashExchange()
    {
        using var config = await ConfigWithExampleEnvAsync();

        var plugins = Services(config).GetProperty("rabbitmq").GetProperty("volumes").EnumerateArray()
            .Single(v => v.GetProperty("target").GetString() == "/etc/rabbitmq/enabled_plugins");
        var file = plugins.GetProperty("source").GetString()!;
        Assert.Contains("rabbitmq_consistent_hash_exchange", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigWithExampleEnv_PublishesTheApiOnPort8090()
    {
        using var config = await ConfigWithExampleEnvAsync();

        var ports = Services(config).GetProperty("api").GetProperty("ports").EnumerateArray().ToList();
        var port = Assert.Single(ports);
        Assert.Equal(8080, port.GetProperty("target").GetInt32());
        Assert.Equal("8090", port.GetProperty("published").GetString());
    }

    [Fact]
    public async Task ConfigWithoutRequiredVariables_FailsNamingAMissingVariable()
    {
        var required = RequiredVariables();
        Assert.NotEmpty(required);

        var emptyEnvFile = Path.GetTempFileName();
        try
        {
            var result = await RunDockerAsync(["compose", "--env-file", emptyEnvFile, "-f", ComposeFile, "config"]);

            Assert.True(result.ExitCode != 0, $"docker compose config succeeded without any variables set:{Environment.NewLine}{result.StdOut}");
            Assert.Contains("missing", result.StdErr, StringComparison.OrdinalIgnoreCase);
            Assert.True(required.Any(v => result.StdErr.Contains(v, StringComparison.Ordinal)),
                $"the error names none of the required variables ({string.Join(", ", required)}): {result.StdErr}");
        }
        finally
        {
            File.Delete(emptyEnvFile);
        }
    }

    [Fact]
    public void ComposeFile_HasNoLiteralSecrets()
    {
        var problems = new List<string>();
        foreach (var (number, line) in ContentLines())
        {
            // A key that names a secret (RABBITMQ_DEFAULT_PASS, Etter__RabbitMq__Password, REDISCLI_AUTH, ...).
            var entry = PasswordKeyEntry().Match(line);
            // (An empty value is a key with a nested block below it, not a secret.)
            if (entry.Success && entry.Groups["value"].Length > 0
                && !WholeVariableReference().IsMatch(entry.Groups["value"].Value.Trim().Trim('"', '\'')))
            {
                problems.Add($"line {number}: {entry.Groups["key"].Value} is not a ${{...}} reference");
            }

            // A password inside a value: connection strings (Password=..., password=...) and --requirepass.
            foreach (Match inline in InlinePassword().Matches(line))
            {
                if (!inline.Groups["value"].Value.StartsWith("${", StringComparison.Ordinal))
                {
                    problems.Add($"line {number}: '{inline.Groups["key"].Value}' is followed by a literal, not a ${{...}} reference");
                }
            }
        }

        foreach (var variable in ReferencedVariables().Where(v => v.Name.Contains("PASS", StringComparison.OrdinalIgnoreCase) && !v.Required))
        {
            problems.Add($"${{{variable.Name}}} must be required, as ${{{variable.Name}:?message}}, so that compose never runs without it");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void ExampleEnvFile_DefinesEveryVariableTheComposeFileUses()
    {
        var defined = File.ReadAllLines(ExampleEnvFile)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)].Trim())
            .ToHashSet(StringComparer.Ordinal);

        var missing = ReferencedVariables().Select(v => v.Name).Distinct(StringComparer.Ordinal).Where(n => !defined.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $".env.example does not define: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task BuildArgs_NameExistingServiceProjects()
    {
        using var config = await ConfigWithExampleEnvAsync();

        var built = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in Services(config).EnumerateObject())
        {
            if (!service.Value.TryGetProperty("build", out var build))
            {
                continue;
            }

            var dockerfile = build.GetProperty("dockerfile").GetString() ?? "";
            var context = build.TryGetProperty("context", out var c) ? c.GetString() ?? RepositoryPaths.Root : RepositoryPaths.Root;
            var dockerfilePath = Path.GetFullPath(dockerfile, Path.GetFullPath(context, RepositoryPaths.Root));
            Assert.True(File.Exists(dockerfilePath), $"{service.Name}: Dockerfile {dockerfilePath} does not exist");

            var project = build.TryGetProperty("args", out var args) && args.TryGetProperty("SERVICE", out var serviceArg)
                ? serviceArg.GetString() ?? ""
                : "";
            Assert.True(project.Length > 0, $"{service.Name}: no SERVICE build arg");
            var csproj = Path.Combine(RepositoryPaths.Root, "services", project, $"{project}.csproj");
            Assert.True(File.Exists(csproj), $"{service.Name}: SERVICE={project}, but {csproj} does not exist");
            built[service.Name] = project;
        }

        Assert.Equal(AppServices.Order(StringComparer.Ordinal), built.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(built.Count, built.Values.Distinct(StringComparer.Ordinal).Count());
    }

    // --- Reading docker-compose.yml -----------------------------------------------------------------

    /// <summary>The file's lines with their 1-based numbers, without comment lines (compose ignores them).</summary>
    static IEnumerable<(int Number, string Text)> ContentLines() =>
        File.ReadAllLines(ComposeFile)
            .Select((text, index) => (Number: index + 1, Text: text))
            .Where(l => !l.Text.TrimStart().StartsWith('#'));

    sealed record VariableReference(string Name, bool Required);

    /// <summary>Every ${NAME...} that compose interpolates ($${NAME} is an escape left to the container's shell).</summary>
    static List<VariableReference> ReferencedVariables() =>
        [.. ContentLines()
            .SelectMany(l => VariableToken().Matches(l.Text))
            .Where(m => m.Groups["name"].Success)
            .Select(m => new VariableReference(m.Groups["name"].Value, m.Groups["op"].Value.EndsWith('?')))];

    static List<string> RequiredVariables() =>
        [.. ReferencedVariables().Where(v => v.Required).Select(v => v.Name).Distinct(StringComparer.Ordinal)];

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<op>:?[-?+])?")]
    private static partial Regex VariableToken();

    /// <summary>`KEY: value` or a list item `- KEY=value` whose key names a password, secret, token or auth value.</summary>
    [GeneratedRegex(@"^\s*-?\s*[""']?(?<key>[A-Za-z0-9_]*(?i:pass|secret|token|auth)[A-Za-z0-9_]*)\s*[:=]\s*(?<value>.*?)[""']?\s*$")]
    private static partial Regex PasswordKeyEntry();

    // A whole reference, or "user/${VAR}" as in NEO4J_AUTH: the secret part is always a reference.
    [GeneratedRegex(@"^([A-Za-z0-9_.-]+/)?\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?+][^}]*)?\}$")]
    private static partial Regex WholeVariableReference();

    /// <summary>Password=VALUE inside a connection string, or --requirepass VALUE (one string or the next array item).</summary>
    [GeneratedRegex(@"(?<key>(?i:password)=|--requirepass)(?:[""']\s*,\s*[""']?|\s+[""']?)?(?<value>[^;,""'\s\]]*)")]
    private static partial Regex InlinePassword();

    // --- Running docker compose ---------------------------------------------------------------------

    static JsonElement Services(JsonDocument config) => config.RootElement.GetProperty("services");

    static List<string> HealthCheckTest(JsonElement service, string name)
    {
        Assert.True(service.TryGetProperty("healthcheck", out var healthcheck), $"{name} has no health check");
        Assert.False(healthcheck.TryGetProperty("disable", out var disable) && disable.GetBoolean(), $"{name}: the health check is disabled");
        Assert.True(healthcheck.TryGetProperty("test", out var test), $"{name}: the health check has no test");
        return [.. test.EnumerateArray().Select(t => t.GetString() ?? "")];
    }

    static async Task<JsonDocument> ConfigWithExampleEnvAsync()
    {
        var result = await RunDockerAsync(["compose", "--env-file", ExampleEnvFile, "-f", ComposeFile, "config", "--format", "json"]);
        Assert.True(result.ExitCode == 0, $"docker compose config exited with {result.ExitCode}:{Environment.NewLine}{result.StdErr}");
        return JsonDocument.Parse(result.StdOut);
    }

    const string InstallHint =
        "Install the docker CLI client (Debian package docker.io or docker-ce-cli; docker-cli on Debian 13) and its compose plugin: " +
        "`bash deploy/local/install-docker-cli.sh` installs both from apt, without a Docker engine.";

    /// <summary>
    /// Runs docker with the variables the compose file interpolates (and COMPOSE_*) removed from its
    /// environment, so that only the env file given decides their values, as in CI.
    /// </summary>
    static async Task<ToolResult> RunDockerAsync(IReadOnlyList<string> args)
    {
        var docker = ToolProcess.FindOnPath("docker");
        Assert.True(docker is not null, $"`docker` is not on PATH. {InstallHint}");

        if (args.Count == 0 || args[0] != "compose" || !await ComposeAvailableAsync(docker))
        {
            Assert.Fail($"`docker compose` does not work (the compose plugin is missing). {InstallHint}");
        }

        return await RunAsync(docker, args);
    }

    static async Task<bool> ComposeAvailableAsync(string docker) =>
        (await RunAsync(docker, ["compose", "version"])).ExitCode == 0;

    static async Task<ToolResult> RunAsync(string docker, IReadOnlyList<string> args)
    {
        var interpolated = ReferencedVariables().Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        try
        {
            return await ToolProcess.RunAsync(docker, args, ProcessTimeout, RepositoryPaths.Root, environment =>
            {
                foreach (var key in environment.Keys.Where(k => interpolated.Contains(k) || k.StartsWith("COMPOSE_", StringComparison.Ordinal)).ToList())
                {
                    environment.Remove(key);
                }
            });
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail($"{e.Message}. {InstallHint}");
            throw;
        }
    }
}
