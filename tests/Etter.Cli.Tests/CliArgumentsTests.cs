namespace Etter.Cli.Tests;

public sealed class CliArgumentsTests
{
    static readonly HashSet<string> Flags = ["mock", "json"];

    [Fact]
    public void OptionsFlagsAndPositionals_AreParsed()
    {
        var args = CliArguments.Parse(["onboard", "--company", "Liberty Mutual", "--mock", "--role=Claims Adjuster"], Flags);

        Assert.Equal("onboard", args.Command);
        Assert.Equal("Liberty Mutual", args.Option("company"));
        Assert.Equal("Claims Adjuster", args.Option("role"));
        Assert.True(args.Flag("mock"));
        Assert.False(args.Flag("json"));
    }

    [Fact]
    public void OptionWithoutValue_IsAUsageError()
    {
        Assert.Throws<CliUsageException>(() => CliArguments.Parse(["onboard", "--company"], Flags));
    }

    [Fact]
    public void UnknownOption_IsAUsageError()
    {
        var args = CliArguments.Parse(["status", "--colour", "red"], Flags);

        Assert.Throws<CliUsageException>(() => args.EnsureAllUsed(maxPositionals: 1));
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
