using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Llm;
using Etter.AiAssessment.Engines.Scoring;

namespace Etter.AiAssessment.Tests.Engines.Llm;

public sealed class LlmJobDescriptionReformatterTests : IAsyncLifetime
{
    const string MessyJd = """
        ACCOUNTS PAYABLE SPECIALIST - Leeds office, hybrid (3 days on site)
        we are a family owned manufacturer of garden furniture, 240 staff.
        what you'll do: enter supplier invoices into SAP (40%), chase approvals from budget holders,
        reconcile vendor statements monthly; run the weekly payment batch
        must have: 2+ yrs AP experience, advanced Excel, AAT level 3 a plus
        salary £28,000 + 25 days holiday
        """;

    const string Rewrite = """
        # Accounts Payable Specialist

        ## Overview

        We are a family owned manufacturer of garden furniture with 240 staff. The role is based in the Leeds office, hybrid (3 days on site). Salary £28,000 + 25 days holiday.

        ## Key Responsibilities

        - Enter supplier invoices into SAP (40%)
        - Chase approvals from budget holders
        - Reconcile vendor statements monthly
        - Run the weekly payment batch

        ## Requirements

        - 2+ yrs AP experience
        - Advanced Excel
        - AAT level 3 a plus
        """;

    FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task MessyJd_ReturnsStructuredMarkdownKeepingContent()
    {
        _server.Enqueue(ScriptedReply.Completion($"```markdown\n{Rewrite}\n```"));
        var reformatter = LlmTestData.Reformatter(_server);

        var markdown = await reformatter.ReformatAsync("Accounts Payable Specialist", MessyJd, CancellationToken.None);

        Assert.Equal(Rewrite.Trim(), markdown);
        foreach (var fact in new[] { "Leeds", "240 staff", "SAP (40%)", "weekly payment batch", "AAT level 3", "£28,000", "25 days holiday" })
        {
            Assert.Contains(fact, markdown, StringComparison.Ordinal);
        }

        var activities = WorkloadActivityParser.Parse(markdown);
        Assert.Equal(4, activities.Count);
        Assert.Equal(40, activities[0].WeightPercent);

        var request = Assert.Single(_server.Requests);
        Assert.Equal(LlmTestData.Model, request.Model);
        Assert.Contains("## Key Responsibilities", request.MessageText(0), StringComparison.Ordinal);
        Assert.Contains("Keep every piece of information", request.MessageText(0), StringComparison.Ordinal);
        Assert.Contains(MessyJd.Trim(), request.MessageText(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LossyRewriteThenFull_RepairsOnce()
    {
        const string lossy = """
            # Accounts Payable Specialist

            ## Key Responsibilities

            - Process invoices
            """;
        _server.Enqueue(ScriptedReply.Completion(lossy), ScriptedReply.Completion(Rewrite));
        var reformatter = LlmTestData.Reformatter(_server);

        var markdown = await reformatter.ReformatAsync("Accounts Payable Specialist", MessyJd, CancellationToken.None);

        Assert.Equal(Rewrite.Trim(), markdown);
        Assert.Equal(2, _server.Requests.Count);
        var repair = _server.Requests[1].MessageText(3);
        Assert.Contains("dropped information", repair, StringComparison.Ordinal);
        Assert.Contains("leeds", repair, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnstructuredTwice_ThrowsRecoverableInvalidOutput()
    {
        _server.Fallback = ScriptedReply.Completion(MessyJd);
        var reformatter = LlmTestData.Reformatter(_server);

        var ex = await Assert.ThrowsAsync<AssessmentEngineException>(() => reformatter.ReformatAsync("Accounts Payable Specialist", MessyJd, CancellationToken.None));

        Assert.Equal(LlmAssessmentEngine.InvalidOutputCode, ex.Error.Code);
        Assert.True(ex.Error.Recoverable);
        Assert.Contains("Key Responsibilities", ex.Error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.Requests.Count);
    }
}
