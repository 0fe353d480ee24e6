namespace Etter.Cli.Tests;

public sealed class CliArgumentsTests
{
    static readonly HashSet<string> Flags = ["mock", "json"];

    static readonly HashSet<string> ValueOptions = ["company", "role", "engine"];

    [Fact]
    public void OptionsFlagsAndPositionals_AreParsed()
    {
        var args = CliArguments.Parse(["onboard", "--company", "Liberty Mutual", "--mock", "--role=Claims Adjuster"], Flags, ValueOptions);

        Assert.Equal("onboard", args.Command);
        Assert.Equal("Liberty Mutual", args.Option("company"));
        Assert.Equal("Claims Adjuster", args.Option("role"));
        Assert.True(args.Flag("mock"));
        Assert.False(args.Flag("json"));
    }

    [Fact]
    public void OptionWithoutValue_IsAUsageError()
    {
        Assert.Throws<CliUsageException>(() => CliArguments.Parse(["onboard", "--company"], Flags, ValueOptions));
    }

    [Fact]
    public void OptionOfAnotherCommand_IsAUsageError()
    {
        var args = CliArguments.Parse(["status", "--engine", "llm"], Flags, ValueOptions);

        var error = Assert.Throws<CliUsageException>(() => args.EnsureAllUsed(maxPositionals: 1));
        Assert.Contains("--engine", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "onboard", "--company", "Acme", "--role", "Clerk", "--mok" }, "Unknown option --mok. Did you mean --mock?")]
    [InlineData(new[] { "onboard", "--mok", "--company", "Acme" }, "Unknown option --mok. Did you mean --mock?")]
    [InlineData(new[] { "status", "--jsn", "3f2504e0-4f89-11d3-9a0c-0305e82c3301" }, "Unknown option --jsn. Did you mean --json?")]
    [InlineData(new[] { "onboard", "--compnay=Acme" }, "Unknown option --compnay. Did you mean --company?")]
    [InlineData(new[] { "status", "--colour", "red" }, "Unknown option --colour.")]
    public void MistypedOption_IsUnknownWithTheNearestName(string[] args, string expected)
    {
        var error = Assert.Throws<CliUsageException>(() => CliArguments.Parse(args, Flags, ValueOptions));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task MistypedFlag_ExitsWithCode2AndNamesTheFlagMeant()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await EtterCli.RunAsync(["onboard", "--company", "Acme Corporation", "--role", "Clerk", "--mok"], stdout, stderr);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Unknown option --mok. Did you mean --mock?", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryOptionInTheUsage_IsKnownToTheParser()
    {
        // The usage text is what people copy from; an option it names but the parser does not know would fail as unknown.
        var named = System.Text.RegularExpressions.Regex.Matches(EtterCli.Usage, "--([a-z-]+)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("draup-role", named);
        foreach (var option in named)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            await EtterCli.RunAsync(["no-such-command", $"--{option}=x"], stdout, stderr);

            Assert.DoesNotContain("Unknown option", stderr.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MissingRequiredOption_ExitsWithCode2AndSaysWhich()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await EtterCli.RunAsync(["onboard", "--company", "Acme Corporation"], stdout, stderr);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--role", stderr.ToString(), StringComparison.Ordinal);
    }
}
