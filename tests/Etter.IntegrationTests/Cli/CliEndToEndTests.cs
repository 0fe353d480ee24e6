using System.Text.Json;
using Etter.TestSupport;

namespace Etter.IntegrationTests.Cli;

/// <summary>The README's first command, run as a process: embedded default, nothing else installed or running.</summary>
public sealed class CliEndToEndTests : IDisposable
{
    readonly string _workDirectory = Directory.CreateTempSubdirectory("etter-cli-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the OS cleans its temp folder.
        }
    }

    [Fact]
    public async Task OnboardMock_ExitsZeroWithReadyJsonAndStatusInANewProcessAgrees()
    {
        var onboard = await CliRunner.RunAsync(["onboard", "--company", "Liberty Mutual", "--role", "Claims Adjuster", "--mock", "--json"], workingDirectory: _workDirectory);

        Assert.True(onboard.ExitCode == 0, $"exit {onboard.ExitCode}: {onboard.StdErr}");
        var result = JsonDocument.Parse(onboard.StdOut).RootElement;
        Assert.Equal("ready", result.GetProperty("status").GetString());
        Assert.InRange(result.GetProperty("final_score").GetDouble(), 0, 100);
        Assert.True(result.GetProperty("assessment").GetProperty("is_mock").GetBoolean());
        var workflowId = result.GetProperty("workflow_id").GetString()!;
        Assert.Contains("role_setup", onboard.StdErr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_workDirectory, ".etter", "orchestrator.db")), "state is kept under ./.etter");

        var status = await CliRunner.RunAsync(["status", workflowId, "--json"], workingDirectory: _workDirectory);

        Assert.Equal(0, status.ExitCode);
        var stored = JsonDocument.Parse(status.StdOut).RootElement;
        Assert.Equal("ready", stored.GetProperty("status").GetString());
        Assert.Equal(result.GetProperty("final_score").GetDouble(), stored.GetProperty("final_score").GetDouble());
        Assert.Equal(result.GetProperty("role_id").GetString(), stored.GetProperty("role_id").GetString());
    }

    [Fact]
    public async Task OnboardWithJdFile_UsesThatJdAndHumanOutputShowsStepDurations()
    {
        var jd = Path.Combine(_workDirectory, "jd.md");
        await File.WriteAllTextAsync(jd, "Responsibilities:\n- Reconcile invoices\n- Compile monthly reports\n- Enter vendor data");

        var onboard = await CliRunner.RunAsync(["onboard", "--company", "Acme Corporation", "--role", "Accounts Clerk", "--mock", "--jd-file", jd], workingDirectory: _workDirectory);

        Assert.True(onboard.ExitCode == 0, $"exit {onboard.ExitCode}: {onboard.StdErr}");
        Assert.Contains("workflow_id", onboard.StdOut, StringComparison.Ordinal);
        Assert.Contains("final_score", onboard.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"role_setup\s+completed\s+attempt 1\s+\d+ ms", onboard.StdOut);
        Assert.Matches(@"ai_assessment\s+completed\s+attempt 1\s+\d+ ms", onboard.StdOut);
    }

    [Fact]
    public async Task OnboardWithEngine_RunsThatEngine()
    {
        var onboard = await CliRunner.RunAsync(["onboard", "--company", "Liberty Mutual", "--role", "Risk Analyst", "--engine", "mock", "--json"], workingDirectory: _workDirectory);

        Assert.True(onboard.ExitCode == 0, $"exit {onboard.ExitCode}: {onboard.StdErr}");
        var assessment = JsonDocument.Parse(onboard.StdOut).RootElement.GetProperty("assessment");
        Assert.True(assessment.GetProperty("is_mock").GetBoolean());
    }

    [Fact]
    public async Task AssessJdFile_RunsOnlyTheEngineAndPrintsItsTable()
    {
        var jd = Path.Combine(_workDirectory, "clerk.md");
        await File.WriteAllTextAsync(jd, "Responsibilities:\n- Enter invoices into the ledger\n- Generate monthly reports\n- Negotiate with suppliers in person");

        var table = await CliRunner.RunAsync(["assess", "--jd-file", jd, "--engine", "rubric"], workingDirectory: _workDirectory);
        var json = await CliRunner.RunAsync(["assess", "--jd-file", jd, "--json"], workingDirectory: _workDirectory);

        Assert.True(table.ExitCode == 0, table.StdErr);
        Assert.Contains("Workload Activity", table.StdOut, StringComparison.Ordinal);
        Assert.Contains("Negligibility", table.StdOut, StringComparison.Ordinal);
        var result = JsonDocument.Parse(json.StdOut).RootElement;
        Assert.Equal("rubric", result.GetProperty("engine").GetString());
        Assert.Equal(3, result.GetProperty("task_analysis").GetProperty("task_count").GetInt32());
        Assert.False(Directory.Exists(Path.Combine(_workDirectory, ".etter")), "assess needs no database");
    }

    [Theory]
    [InlineData("onboard", "--company", "Acme Corporation")]
    [InlineData("status", "not-a-guid", "")]
    [InlineData("frobnicate", "", "")]
    public async Task BadArguments_ExitWithCode2AndAMessage(string command, string arg1, string arg2)
    {
        var result = await CliRunner.RunAsync(new[] { command, arg1, arg2 }.Where(a => a.Length > 0), workingDirectory: _workDirectory);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownWorkflowStatus_ExitsNotFound()
    {
        var result = await CliRunner.RunAsync(["status", Guid.NewGuid().ToString()], workingDirectory: _workDirectory);

        Assert.Equal(4, result.ExitCode);
    }
}
