using Etter.AiAssessment.Engines.Llm;
using Etter.AiAssessment.Engines.Scoring;
using static Etter.AiAssessment.Tests.Engines.Llm.LlmTestData;

namespace Etter.AiAssessment.Tests.Engines.Llm;

public sealed class LlmReplyParserTests
{
    static readonly WorkloadActivity[] Inputs = Activities.Select(a => new WorkloadActivity(a, null, null)).ToArray();

    [Fact]
    public void RowsWithinTolerance_AreNormalizedToShares()
    {
        var reply = LlmReplyParser.ParseAssessment(ValidReply(splits: [[61, 10, 10, 5, 5, 10], [0, 0, 20, 10, 10, 59], [30, 20, 20, 10, 10, 10]]), Inputs);

        Assert.True(reply.IsValid, string.Join(" ", reply.Problems));
        Assert.All(reply.Classifications, c => Assert.Equal(1.0, c.Shares.Values.Sum(), 9));
        Assert.Equal(61 / 101.0, reply.Classifications[0].Share(CollaborationMode.Directive), 9);
    }

    [Fact]
    public void EntriesInAnotherOrder_AreMatchedByText()
    {
        var reply = LlmReplyParser.ParseAssessment(ValidReply([Activities[2], Activities[0], Activities[1]], [Splits[2], Splits[0], Splits[1]]), Inputs);

        Assert.True(reply.IsValid, string.Join(" ", reply.Problems));
        Assert.Equal(Activities, reply.Classifications.Select(c => c.Activity.Text));
        Assert.Equal(0.6, reply.Classifications[0].Share(CollaborationMode.Directive), 9);
    }

    [Fact]
    public void ParaphrasedTextWithMatchingCount_IsMatchedByPosition()
    {
        var reply = LlmReplyParser.ParseAssessment(ValidReply(["Key the invoices in", Activities[1], Activities[2]]), Inputs);

        Assert.True(reply.IsValid, string.Join(" ", reply.Problems));
        Assert.Equal(Activities[0], reply.Classifications[0].Activity.Text);
    }

    [Fact]
    public void StringNumbersWithPercentSigns_AreAccepted()
    {
        var json = ValidReply().Replace("\"directive\":60", "\"directive\":\"60%\"", StringComparison.Ordinal);

        Assert.True(LlmReplyParser.ParseAssessment(json, Inputs).IsValid);
    }

    [Theory]
    [InlineData(110, -10, "outside 0-100")]
    [InlineData(70, 10, "sum to 110")]
    [InlineData(50, 10, "sum to 90")]
    public void BadNumbers_AreReported(double directive, double feedbackLoop, string expected)
    {
        var reply = LlmReplyParser.ParseAssessment(ValidReply(splits: [[directive, feedbackLoop, 10, 5, 5, 10], Splits[1], Splits[2]]), Inputs);

        Assert.False(reply.IsValid);
        Assert.Contains(reply.Problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void EmptyRationaleAndMissingField_AreReported()
    {
        var json = ValidReply()
            .Replace("\"rationale\":\"Reason for activity 2.\"", "\"rationale\":\"  \"", StringComparison.Ordinal)
            .Replace("\"learning\":10,", "", StringComparison.Ordinal);

        var reply = LlmReplyParser.ParseAssessment(json, Inputs);

        Assert.Contains(reply.Problems, p => p.Contains("non-empty \"rationale\"", StringComparison.Ordinal));
        Assert.Contains(reply.Problems, p => p.Contains("lacks \"learning\"", StringComparison.Ordinal));
    }

    [Fact]
    public void DuplicateAndUnknownEntries_AreReported()
    {
        var reply = LlmReplyParser.ParseAssessment(ValidReply([Activities[0], Activities[0], Activities[1], "Water the plants"], [Splits[0], Splits[0], Splits[1], Splits[2]]), Inputs);

        Assert.False(reply.IsValid);
        Assert.Contains(reply.Problems, p => p.StartsWith("Expected exactly 3 entries", StringComparison.Ordinal));
        Assert.Contains(reply.Problems, p => p.Contains("Water the plants", StringComparison.Ordinal));
        Assert.Contains(reply.Problems, p => p.Contains("Activity 3", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no json here")]
    [InlineData("{\"rows\": []}")]
    [InlineData("{\"activities\": []}")]
    [InlineData("{\"activities\": [ {\"activity\": ")]
    public void UnusableReplies_AreInvalid(string text)
    {
        var reply = LlmReplyParser.ParseAssessment(text, Inputs);

        Assert.False(reply.IsValid);
        Assert.NotEmpty(reply.Problems);
    }
}
